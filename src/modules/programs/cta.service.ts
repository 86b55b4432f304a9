import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, ErrorDetail } from '@/common/errors/app-error';
import { newId } from '@/common/ids';
import { decodeCursor, Page, toPage } from '@/common/pagination/pagination';
import { CtaLifecycle } from '@/modules/programs/cta-lifecycle';
import { CtaEntity, CtaStatus } from '@/modules/programs/cta.entity';
import { CtaChanges, CtaRepository, NewCta } from '@/modules/programs/cta.repository';
import { CreateCtaDto, CtaDto, toCtaDto, UpdateCtaDto } from '@/modules/programs/dto/cta.dto';
import { MoneyDto } from '@/modules/programs/dto/money.dto';
import { ProgramEntity } from '@/modules/programs/program.entity';
import { ProgramRepository } from '@/modules/programs/program.repository';

export const DEFAULT_CTA_KEY = 'copy-link';

@Injectable()
export class CtaService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly programs: ProgramRepository,
    private readonly ctas: CtaRepository,
    private readonly lifecycle: CtaLifecycle,
  ) {}

  /** Every CTA of one of the brand's programs, oldest first; 404 for a missing/foreign program. */
  async listForProgram(
    brandId: string,
    programId: string,
    em?: EntityManager,
  ): Promise<CtaEntity[]> {
    const program = await this.programs.findByIdForBrand(brandId, programId, em);
    if (!program) throw AppError.notFound('Program');
    return this.ctas.listAllByProgram(brandId, programId, em);
  }

  /** The CTA every program starts with, so an advocate always has one link to share. */
  createDefault(em: EntityManager, brandId: string, program: ProgramEntity): Promise<CtaEntity> {
    return this.insert(em, brandId, {
      id: newId('cta'),
      brandId,
      programId: program.id,
      key: DEFAULT_CTA_KEY,
      channel: 'copy_link',
      action: program.goal === 'conversion' ? 'purchase' : 'signup',
      label: 'Copy link',
      valueAmount: 0,
      landingUrl: null,
    });
  }

  create(brandId: string, programId: string, dto: CreateCtaDto): Promise<CtaDto> {
    return this.dataSource.transaction(async (em) => {
      // Shared lock: the program cannot end or change currency while this CTA is added.
      const program = await this.programs.lockByIdForBrand(brandId, programId, 'share', em);
      if (!program) throw AppError.notFound('Program');
      if (program.status === 'ended') {
        throw new AppError('conflict', 'The program has ended; it cannot get new CTAs', [
          { field: 'status', issue: 'program is ended' },
        ]);
      }
      throwIfAny(valueIssues(dto.value, program.currency));
      const cta = await this.insert(em, brandId, {
        id: newId('cta'),
        brandId,
        programId,
        key: dto.key,
        channel: dto.channel,
        action: dto.action,
        label: dto.label,
        valueAmount: dto.value?.amount ?? 0,
        landingUrl: dto.landingUrl ?? null,
      });
      return toCtaDto(cta, program);
    });
  }

  async list(
    brandId: string,
    programId: string,
    status: CtaStatus | undefined,
    limit: number,
    cursor?: string,
  ): Promise<Page<CtaDto>> {
    const list = { list: 'ctas', brandId, programId, status };
    const after = decodeCursor(cursor, 'timestamp', list);
    const program = await this.programs.findByIdForBrand(brandId, programId);
    if (!program) throw AppError.notFound('Program');
    const rows = await this.ctas.listByProgram(brandId, programId, status, limit, after);
    return toPage(
      rows,
      limit,
      (c) => ({ k: c.createdAt.toISOString(), id: c.id }),
      (c) => toCtaDto(c, program),
      list,
    );
  }

  async get(brandId: string, programId: string, ctaId: string): Promise<CtaDto> {
    const program = await this.programs.findByIdForBrand(brandId, programId);
    if (!program) throw AppError.notFound('Program');
    const cta = await this.ctas.findByIdForBrand(brandId, programId, ctaId);
    if (!cta) throw AppError.notFound('CTA');
    return toCtaDto(cta, program);
  }

  async update(
    brandId: string,
    programId: string,
    ctaId: string,
    dto: UpdateCtaDto,
  ): Promise<CtaDto> {
    const result = await this.dataSource.transaction(async (em) => {
      const program = await this.programs.lockByIdForBrand(brandId, programId, 'share', em);
      if (!program) throw AppError.notFound('Program');
      const cta = await this.ctas.findByIdForBrand(brandId, programId, ctaId, em);
      if (!cta) throw AppError.notFound('CTA');
      const issues = valueIssues(dto.value, program.currency);
      // utm_content of every issued link is the key: renaming would orphan their history.
      if (dto.key !== undefined && dto.key !== cta.key) {
        issues.unshift({ field: 'key', issue: 'cannot be changed; create a new CTA instead' });
      }
      throwIfAny(issues);
      const changes = ctaChanges(cta, dto);
      if (Object.keys(changes).length === 0) return toCtaDto(cta, program);
      await this.ctas.updateForBrand(brandId, programId, ctaId, changes, em);
      const updated = await this.ctas.findByIdForBrand(brandId, programId, ctaId, em);
      return toCtaDto(updated!, program);
    });
    this.lifecycle.afterProgramOrCtaChanged(brandId, programId);
    return result;
  }

  /** Inserts and runs the lifecycle hook in the same transaction; 409 when the key is taken. */
  private async insert(em: EntityManager, brandId: string, cta: NewCta): Promise<CtaEntity> {
    const inserted = await this.ctas.insertUnlessKeyTaken(cta, em);
    if (!inserted) {
      throw new AppError('conflict', `This program already has a CTA with key ${cta.key}`, [
        { field: 'key', issue: 'is already used by another CTA of this program' },
      ]);
    }
    await this.lifecycle.afterCtaCreated(em, brandId, cta.programId, inserted.id);
    return inserted;
  }
}

function valueIssues(value: MoneyDto | undefined, programCurrency: string): ErrorDetail[] {
  if (value && value.currency !== programCurrency) {
    return [
      { field: 'value.currency', issue: `must equal the program currency (${programCurrency})` },
    ];
  }
  return [];
}

function throwIfAny(details: ErrorDetail[]): void {
  if (details.length > 0) throw AppError.validation(details);
}

function ctaChanges(cta: CtaEntity, dto: UpdateCtaDto): CtaChanges {
  const changes: CtaChanges = {};
  if (dto.channel !== undefined && dto.channel !== cta.channel) changes.channel = dto.channel;
  if (dto.action !== undefined && dto.action !== cta.action) changes.action = dto.action;
  if (dto.label !== undefined && dto.label !== cta.label) changes.label = dto.label;
  if (dto.value !== undefined && dto.value.amount !== cta.valueAmount) {
    changes.valueAmount = dto.value.amount;
  }
  if (dto.landingUrl !== undefined && dto.landingUrl !== cta.landingUrl) {
    changes.landingUrl = dto.landingUrl;
  }
  if (dto.status !== undefined && dto.status !== cta.status) changes.status = dto.status;
  return changes;
}
