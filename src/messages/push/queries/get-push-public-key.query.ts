import { Query } from '@nestjs/cqrs';
import type { PublicKeyView } from '../dto/push-subscription.dto';

/** The server's VAPID public key, for `pushManager.subscribe({ applicationServerKey })`; 503 while Web Push is not configured. */
export class GetPushPublicKey extends Query<PublicKeyView> {}
