import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '@/common/errors/app-error';
import { newId } from '@/common/ids';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import { APP_CONFIG } from '@/config/config.module';
import { AppConfig } from '@/config/env';
import type {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointWithSecretDto,
} from '@/modules/webhooks/dto/webhook-endpoint.dto';
import {
  EndpointChanges,
  EndpointRow,
  WebhookEndpointRepository,
} from '@/modules/webhooks/webhook-endpoint.repository';
import { newWebhookSecret, WebhookSecretBox } from '@/modules/webhooks/webhook-secret-box';
import { webhookUrlIssue } from '@/modules/webhooks/webhook-url';

/** Webhook endpoints of a brand: the secret is shown once (at creation and rotation). */
@Injectable()
export class WebhookEndpointService {
  private readonly box: WebhookSecretBox;

  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.box = new WebhookSecretBox(config.secret);
  }

  async create(
    brandId: string,
    dto: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointWithSecretDto> {
    this.checkUrl(dto.url);
    const id = newId('webhookEndpoint');
    const secret = newWebhookSecret();
    const row = await this.endpoints.insert(brandId, {
      id,
      url: dto.url,
      description: dto.description ?? null,
      eventTypes: dto.eventTypes,
      enabled: dto.enabled ?? true,
      secretCiphertext: this.box.seal(id, secret),
      secretHint: secret.slice(-4),
    });
    return { ...toEndpointDto(row), secret };
  }

  async list(brandId: string, limit: number, cursor?: string): Promise<Page<WebhookEndpointDto>> {
    const list = { list: 'webhook-endpoints', brandId };
    const rows = await this.endpoints.listByBrand(
      brandId,
      limit,
      decodeCursor(cursor, 'timestamp', list),
    );
    return toPage(rows, limit, (r) => ({ k: r.cursor_at!, id: r.id }), toEndpointDto, list);
  }

  async get(brandId: string, id: string): Promise<WebhookEndpointDto> {
    const row = await this.endpoints.findByIdForBrand(brandId, id);
    if (!row) throw AppError.notFound('Webhook endpoint');
    return toEndpointDto(row);
  }

  update(
    brandId: string,
    id: string,
    dto: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto | WebhookEndpointWithSecretDto> {
    if (dto.url !== undefined) this.checkUrl(dto.url);
    return this.dataSource.transaction(async (em) => {
      const current = await this.endpoints.findByIdForBrand(brandId, id, em, true);
      if (!current) throw AppError.notFound('Webhook endpoint');
      const changes: EndpointChanges = {
        url: dto.url,
        description: dto.description,
        eventTypes: dto.eventTypes,
        enabled: dto.enabled,
      };
      let secret: string | undefined;
      if (dto.rotateSecret) {
        secret = newWebhookSecret();
        changes.secret = { ciphertext: this.box.seal(id, secret), hint: secret.slice(-4) };
      }
      const row = await this.endpoints.update(em, brandId, id, changes);
      return secret ? { ...toEndpointDto(row), secret } : toEndpointDto(row);
    });
  }

  async delete(brandId: string, id: string): Promise<void> {
    if (!(await this.endpoints.delete(brandId, id))) throw AppError.notFound('Webhook endpoint');
  }

  private checkUrl(url: string): void {
    const issue = webhookUrlIssue(url, this.config.webhooks);
    if (issue) throw AppError.field('url', issue);
  }
}

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export function toEndpointDto(r: EndpointRow): WebhookEndpointDto {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    disabledAt: iso(r.disabled_at),
    consecutiveFailures: r.consecutive_failures,
    secretHint: `whsec_…${r.secret_hint}`,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}
