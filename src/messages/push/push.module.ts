import { Module } from '@nestjs/common';
import { MESSAGES_OPTIONS, type MessagesModuleOptions } from '../messages.options';
import { RemoveSubscriptionHandler } from './commands/remove-subscription.handler';
import { SaveSubscriptionHandler } from './commands/save-subscription.handler';
import { PushDeliveryWorker } from './push-delivery.worker';
import { PushController } from './push.controller';
import { PushEndpointPolicy } from './push-endpoint-policy';
import { PushSender } from './push-sender';
import { GetPushPublicKeyHandler } from './queries/get-push-public-key.handler';

/**
 * Web Push: device subscriptions and the delivery workers. Queueing (`OfflineNotifier`) and the
 * queue itself (`PushQueue`) live in the core module, since every feature queues notifications.
 */
@Module({
  controllers: [PushController],
  providers: [
    SaveSubscriptionHandler,
    RemoveSubscriptionHandler,
    GetPushPublicKeyHandler,
    PushSender,
    PushDeliveryWorker,
    {
      provide: PushEndpointPolicy,
      inject: [MESSAGES_OPTIONS],
      useFactory: (options: MessagesModuleOptions) => new PushEndpointPolicy(options.pushEndpointAllowlist),
    },
  ],
})
export class PushModule {}
