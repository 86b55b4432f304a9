import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';

@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthIndicatorService,
  ) {}

  async ping(key = 'database', timeoutMs = 2000) {
    const indicator = this.health.check(key);
    const started = Date.now();
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('timeout')), timeoutMs).unref(),
        ),
      ]);
      return indicator.up({ responseTime: Date.now() - started });
    } catch (error) {
      return indicator.down({
        // Said as the issue of the 503's details; never the driver's text (hosts, addresses).
        message:
          (error as Error).message === 'timeout'
            ? `did not answer within ${timeoutMs} ms`
            : 'is unreachable',
      });
    }
  }
}
