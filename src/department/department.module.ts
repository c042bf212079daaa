import { DepartmentMember } from './member.resource';
import { Module } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { DepartmentController } from './department.controller';
import { Department } from './department.entity';
import { DepartmentService } from './department.service';
import { Member } from './member.entity';

@Module({
  imports: [MikroOrmModule.forFeature([Department, Member])],
  controllers: [DepartmentController],
  providers: [DepartmentService, DepartmentMember],
  exports: [DepartmentService],
})
export class DepartmentModule {}
