import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '../../common/access';
import { RemoveSubscription } from './commands/remove-subscription.command';
import { SaveSubscription } from './commands/save-subscription.command';
import { PublicKeyView, PushEndpointDto, PushSubscriptionDto, PushSubscriptionView } from './dto/push-subscription.dto';
import { GetPushPublicKey } from './queries/get-push-public-key.query';

@ApiTags('push')
@Controller('push')
export class PushController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** The server's VAPID public key, for `pushManager.subscribe({ applicationServerKey })`. */
  @Get('public-key')
  @ApiOkResponse({ type: PublicKeyView })
  publicKey(): Promise<PublicKeyView> {
    return this.queries.execute(new GetPushPublicKey());
  }

  @Post('subscriptions')
  @ApiCreatedResponse({ type: PushSubscriptionView })
  subscribe(@Caller() caller: Principal, @Body() body: PushSubscriptionDto): Promise<PushSubscriptionView> {
    return this.commands.execute(new SaveSubscription(caller.departmentId, caller.userId, body.endpoint, body.keys.p256dh, body.keys.auth));
  }

  @Delete('subscriptions')
  @ApiNoContentResponse({ description: 'Removed, or was not yours' })
  @HttpCode(204)
  unsubscribe(@Caller() caller: Principal, @Body() body: PushEndpointDto): Promise<void> {
    return this.commands.execute(new RemoveSubscription(caller.departmentId, caller.userId, body.endpoint));
  }
}
