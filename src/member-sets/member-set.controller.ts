import { Body, Controller, Get, Param, Post, Put, type Type } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Caller, type Principal } from '../common/access';
import { ParseIdPipe } from '../common/validation/ids';
import { MemberIdsDto, MemberSetDto, NameDto } from './dto';
import type { MemberSetKind } from './member-set.entity';
import { MemberSetsService } from './member-sets.service';

/**
 * The admin routes of one kind of member set (`/api/groups`, `/api/roles`, ...): the four kinds
 * behave alike, so one definition serves them all.
 */
export function memberSetController(kind: MemberSetKind, path: string): Type<unknown> {
  @ApiTags(path)
  @Controller(path)
  class MemberSetController {
    constructor(readonly sets: MemberSetsService) {}
    @Post()
    create(@Caller() caller: Principal, @Body() body: NameDto): Promise<MemberSetDto> {
      return this.sets.create(caller.departmentId, kind, body.name);
    }
    @Get()
    list(@Caller() caller: Principal): Promise<MemberSetDto[]> {
      return this.sets.list(caller.departmentId, kind);
    }
    @Put(':id/members')
    setMembers(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: MemberIdsDto): Promise<MemberSetDto> {
      return this.sets.setMembers(caller.departmentId, kind, id, body.userIds);
    }
  }
  const name = `${path[0].toUpperCase()}${path.slice(1)}Controller`;
  Object.defineProperty(MemberSetController, 'name', { value: name });
  return MemberSetController;
}
