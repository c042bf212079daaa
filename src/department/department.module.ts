import { Module, type DynamicModule } from '@nestjs/common';
import { DepartmentMember } from './member.resource';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AccessCatalog } from './access-catalog';
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
export class DepartmentModule {
  /** `catalog`: the permissions and module switches of the mounted modules. */
  static forRoot(catalog: AccessCatalog): DynamicModule {
    return { module: DepartmentModule, global: true, providers: [{ provide: AccessCatalog, useValue: catalog }], exports: [AccessCatalog] };
  }
}
