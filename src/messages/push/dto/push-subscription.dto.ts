import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsNumber, IsObject, IsOptional, IsString, IsUrl, Matches, MaxLength, ValidateNested } from 'class-validator';

const ENDPOINT_URL = { protocols: ['https', 'http'], require_protocol: true, require_tld: false };

/** The subscription's keys, base64url as `PushSubscription.toJSON()` gives them. */
export class PushSubscriptionKeysDto {
  @ApiProperty({ description: 'P-256 public key of the device: 65 bytes, base64url' })
  @IsString({ message: 'p256dh must be a string' })
  // 65 bytes starting with 0x04 (an uncompressed point): 87 base64url characters, the first "B".
  @Matches(/^B[A-Za-z0-9_-]{86}=?$/, { message: 'p256dh must be an uncompressed P-256 public key (65 bytes, base64url)' })
  p256dh!: string;

  @ApiProperty({ description: 'Authentication secret of the device: 16 bytes, base64url' })
  @IsString({ message: 'auth must be a string' })
  @Matches(/^[A-Za-z0-9_-]{22}(==)?$/, { message: 'auth must be a 16-byte secret (base64url)' })
  auth!: string;
}

/** A standard Web Push subscription. */
export class PushSubscriptionDto {
  @ApiProperty({ example: 'https://push.example/send/abc123' })
  @IsString({ message: 'endpoint must be a string' })
  @MaxLength(2048, { message: 'endpoint must be at most 2048 characters' })
  // http is for allowlisted push services only; the endpoint policy says which.
  @IsUrl(ENDPOINT_URL, { message: 'endpoint must be an https URL' })
  endpoint!: string;

  @ApiProperty({ type: PushSubscriptionKeysDto })
  @IsDefined({ message: 'keys is required: { p256dh, auth }' })
  @IsObject({ message: 'keys must be an object: { p256dh, auth }' })
  @ValidateNested()
  @Type(() => PushSubscriptionKeysDto)
  keys!: PushSubscriptionKeysDto;

  /** Browsers include it (usually null); accepted and not used. */
  @ApiPropertyOptional({ nullable: true, type: Number })
  @IsOptional()
  @IsNumber({}, { message: 'expirationTime must be a number or null' })
  expirationTime?: number | null;
}

export class PushEndpointDto {
  @ApiProperty({ example: 'https://push.example/send/abc123' })
  @IsString({ message: 'endpoint must be a string' })
  @MaxLength(2048, { message: 'endpoint must be at most 2048 characters' })
  endpoint!: string;
}

export class PublicKeyView {
  @ApiProperty({ description: 'VAPID public key (base64url), the applicationServerKey of a subscription' })
  publicKey!: string;
}

export class PushSubscriptionView {
  @ApiProperty()
  id!: number;
  @ApiProperty()
  endpoint!: string;
  @ApiProperty()
  createdAt!: string;
}
