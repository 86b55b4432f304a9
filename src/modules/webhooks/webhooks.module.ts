import { Global, Module } from '@nestjs/common';
import { WebhookDeliveryRepository } from '@/modules/webhooks/webhook-delivery.repository';
import { WebhookDeliveryService } from '@/modules/webhooks/webhook-delivery.service';
import { WebhookDispatchRepository } from '@/modules/webhooks/webhook-dispatch.repository';
import { WebhookDispatcher } from '@/modules/webhooks/webhook-dispatcher';
import { WebhookEndpointController } from '@/modules/webhooks/webhook-endpoint.controller';
import { WebhookEndpointRepository } from '@/modules/webhooks/webhook-endpoint.repository';
import { WebhookEndpointService } from '@/modules/webhooks/webhook-endpoint.service';
import { WebhookOutbox } from '@/modules/webhooks/webhook-outbox';
import { WebhookOutboxRepository } from '@/modules/webhooks/webhook-outbox.repository';
import { WebhookSender } from '@/modules/webhooks/webhook-sender';

/**
 * Signed webhooks: endpoints and deliveries API, the outbox and its dispatcher. Global: any
 * module injects WebhookOutbox to announce a change from inside its transaction.
 */
@Global()
@Module({
  controllers: [WebhookEndpointController],
  providers: [
    WebhookOutboxRepository,
    WebhookOutbox,
    WebhookEndpointRepository,
    WebhookEndpointService,
    WebhookDeliveryRepository,
    WebhookDeliveryService,
    WebhookDispatchRepository,
    WebhookSender,
    WebhookDispatcher,
  ],
  exports: [WebhookOutbox],
})
export class WebhooksModule {}
