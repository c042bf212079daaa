import { Body, Controller, ForbiddenException, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ParseIdPipe } from '../common/validation/ids';
import { ConfigService } from '@nestjs/config';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, ResolvesPathId, type Principal } from '../common/access';
import { PasswordResetDto } from '../auth/dto/login.dto';
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
  @Post('departments')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: SignUpAnswer })
  async createDepartment(@Body() body: NewDepartmentDto): Promise<SignUpAnswer> {
    if (this.config.get('DEPARTMENT_SIGNUP', { infer: true }) !== 'open') {
      throw new ForbiddenException('Department sign-up is closed on this server');
    }
    return this.departments.createDepartment(body.name, body.admin);
  }
  @Get('department')
  @ApiOkResponse({ type: DepartmentView })
  getDepartment(@Caller() caller: Principal): Promise<DepartmentView> {
    return this.departments.getDepartment(caller.departmentId);
  }
  /** A module switched off is refused to the whole department, open sockets included. */
  @Put('department/modules/:module')
  @ApiOkResponse({ type: DepartmentView })
  switchModule(@Caller() caller: Principal, @Param('module') moduleName: string, @Body() body: ModuleSwitchDto): Promise<DepartmentView> {
    return this.departments.switchModule(caller.departmentId, moduleName, body.enabled);
  }
  @Get('department/members')
  @ApiOkResponse({ type: [MemberView] })
  listMembers(@Caller() caller: Principal): Promise<MemberView[]> {
    return this.departments.listMembers(caller.departmentId);
  }
  @Post('department/members')
  @ApiCreatedResponse({ type: MemberView })
  addMember(@Caller() caller: Principal, @Body() body: NewMemberDto): Promise<MemberView> {
    return this.departments.addMember(caller.departmentId, body);
  }
  @Patch('department/members/:id')
  @ResolvesPathId(DepartmentMember)
  @ApiOkResponse({ type: MemberView })
  changeMember(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: MemberChangesDto): Promise<MemberView> {
    return this.departments.changeMember(caller.departmentId, id, body);
  }

  /** Sets a new password for the member and ends every session they had. */
  @Put('department/members/:id/password')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The password is set and the member’s sessions ended' })
  resetPassword(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: PasswordResetDto): Promise<void> {
    return this.departments.resetPassword(caller.departmentId, id, body.password);
  }
}
