import { Body, Controller, ForbiddenException, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ParseIdPipe } from '../common/validation/ids';
import { ConfigService } from '@nestjs/config';
import { ApiTags } from '@nestjs/swagger';
import { Authenticated, Caller, Public, ResolvesPathId, type Principal } from '../common/access';
import type { Environment } from '../config/environment';
import { DepartmentService } from './department.service';
import { DepartmentMember } from './member.resource';
import { DepartmentView, MemberChangesDto, MemberView, ModuleSwitchDto, NewDepartmentDto, NewMemberDto, SignUpAnswer } from './dto/department.dto';

@ApiTags('department')
@Controller()
export class DepartmentController {
  constructor(
    private readonly departments: DepartmentService,
    private readonly config: ConfigService<Environment, true>,
  ) {}

  /** 202 with the same answer whether or not the email was free, so sign-up tells nobody which emails exist. */
  @Public()
  @Post('departments')
  @HttpCode(202)
  async createDepartment(@Body() body: NewDepartmentDto): Promise<SignUpAnswer> {
    if (this.config.get('DEPARTMENT_SIGNUP', { infer: true }) !== 'open') {
      throw new ForbiddenException('Department sign-up is closed on this server');
    }
    return this.departments.createDepartment(body.name, body.admin);
  }

  @Authenticated()
  @Get('department')
  getDepartment(@Caller() caller: Principal): Promise<DepartmentView> {
    return this.departments.getDepartment(caller.departmentId);
  }

  @Authenticated({ admin: true })
  @Put('department/modules/messages')
  switchMessages(@Caller() caller: Principal, @Body() body: ModuleSwitchDto): Promise<DepartmentView> {
    return this.departments.switchModule(caller.departmentId, 'messages', body.enabled);
  }

  @Authenticated()
  @Get('department/members')
  listMembers(@Caller() caller: Principal): Promise<MemberView[]> {
    return this.departments.listMembers(caller.departmentId);
  }

  @Authenticated({ admin: true })
  @Post('department/members')
  addMember(@Caller() caller: Principal, @Body() body: NewMemberDto): Promise<MemberView> {
    return this.departments.addMember(caller.departmentId, body);
  }

  @Authenticated({ admin: true })
  @Patch('department/members/:id')
  @ResolvesPathId(DepartmentMember)
  changeMember(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: MemberChangesDto): Promise<MemberView> {
    return this.departments.changeMember(caller.departmentId, id, body);
  }
}
