import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { AttachmentView } from '../../realtime/socket-events';

/** An upload as the upload route and every message that carries it describe it. */
export class AttachmentViewDto implements AttachmentView {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'As read from the content, not the name' }) contentType!: string;
  @ApiProperty({ description: 'Bytes' }) size!: number;
  @ApiPropertyOptional({ description: 'Images only, in pixels' }) width?: number;
  @ApiPropertyOptional({ description: 'Images only, in pixels' }) height?: number;
}
