import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { CurrentBrand } from '@/common/auth/principal';
import { RequireScopes } from '@/common/auth/scopes.decorator';
import { ApiErrors } from '@/common/errors/api-errors.decorator';
import { AcceptsCsvStream, csvRequired } from '@/common/http/csv-body';
import {
  AdvocateImportService,
  IMPORT_BATCH_ROWS,
  MAX_IMPORT_BYTES,
  MAX_REPORTED_ERRORS,
} from '@/modules/advocates/advocate-import.service';
import { AdvocateImportResultDto } from '@/modules/advocates/dto/advocate-import-result.dto';

const SAMPLE_CSV =
  'externalId,email,name,tier,tags,instagram,instagram_followers\n' +
  'cust_1001,alice@example.com,Alice Martin,micro,vip|summer-2026,@alice.cooks,12500\n' +
  'cust_1002,bob@example.com,Bob Chen,,,,\n';

@ApiTags('Advocates')
@Controller('v1/advocates')
@RequireScopes('admin')
export class AdvocateImportController {
  constructor(private readonly imports: AdvocateImportService) {}

  @Post('import')
  @HttpCode(200)
  @AcceptsCsvStream(SAMPLE_CSV)
  @ApiOperation({
    summary: 'Create or update advocates from a CSV file',
    description:
      'Body: `Content-Type: text/csv`, UTF-8, comma-separated, header row first. Columns ' +
      '(case-insensitive): externalId (required), email, name, tier, status, tags (separated ' +
      'by `|` or `;`), and per channel `<channel>` (the handle) and `<channel>_followers` ' +
      '(every channel but `email`, which is the e-mail column). ' +
      'Upserts by externalId: only the columns in the file change. Each row is validated like ' +
      '`POST /v1/advocates`; bad rows are reported (row 1 = first data row) and skipped. A ' +
      `repeated externalId: the last row wins. Streamed in batches of ${IMPORT_BATCH_ROWS}; ` +
      `at most ${MAX_IMPORT_BYTES / 1024 / 1024} MB; at most ${MAX_REPORTED_ERRORS} errors listed.`,
  })
  @ApiOkResponse({ type: AdvocateImportResultDto })
  @ApiErrors(
    [400, 'Empty body, unknown or duplicate column, no externalId column'],
    [413, 'Body over 100 MB (answered up front when Content-Length says so)'],
    [415, 'Not text/csv (application/json included, whatever the body): details name content-type'],
  )
  async import(
    @CurrentBrand() brandId: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AdvocateImportResultDto> {
    const body = request.body;
    // refuseNonCsvBody answered every other content type before the body was read
    if (!(body instanceof Readable)) throw csvRequired();
    const length = Number(request.headers['content-length']);
    try {
      return await this.imports.importCsv(
        brandId,
        body,
        Number.isFinite(length) ? length : undefined,
      );
    } catch (err) {
      // The client may still be sending the file: close the connection after the answer.
      void reply.header('connection', 'close');
      throw err;
    }
  }
}
