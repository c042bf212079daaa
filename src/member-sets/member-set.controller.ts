import { Body, Controller, Get, Injectable, Param, Post, Put, type Type } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Caller, ResolvesPathId, type PathResource, type Principal } from '../common/access';
import { ParseIdPipe } from '../common/validation/ids';
import { MemberIdsDto, MemberSetDto, NameDto } from './dto';
import type { MemberSetKind } from './member-set.entity';
import { MemberSetsService } from './member-sets.service';

export interface MemberSetRoutes {
  create(caller: Principal, body: NameDto): Promise<MemberSetDto>;
  list(caller: Principal): Promise<MemberSetDto[]>;
  setMembers(caller: Principal, id: number, body: MemberIdsDto): Promise<MemberSetDto>;
}

/**
 * The routes of one kind of member set (`/api/groups`, `/api/roles`, ...): the four kinds behave
 * alike, so each kind's controller extends this one definition (and may add routes of its own).
 */
export function memberSetController(
  kind: MemberSetKind,
  path: string,
): (new (sets: MemberSetsService) => MemberSetRoutes) & { pathResource: Type<PathResource> } {
  /** Another department's set answers 404 before the body is read; the kind's module provides it. */
  @Injectable()
  class SetOfThisKind implements PathResource {
    constructor(readonly sets: MemberSetsService) {}
    visibleTo = (caller: Principal, id: number) => this.sets.exists(caller.departmentId, kind, id);
    notFound = (id: number) => `${kind[0].toUpperCase()}${kind.slice(1)} ${id} not found`;
  }

  @ApiTags(path)
  @Controller(path)
  class MemberSetController {
    static readonly pathResource = SetOfThisKind;
    constructor(readonly sets: MemberSetsService) {}
    @Post()
    @ApiCreatedResponse({ type: MemberSetDto })
    create(@Caller() caller: Principal, @Body() body: NameDto): Promise<MemberSetDto> {
      return this.sets.create(caller.departmentId, kind, body.name);
    }
    @Get()
    @ApiOkResponse({ type: [MemberSetDto] })
    list(@Caller() caller: Principal): Promise<MemberSetDto[]> {
      return this.sets.list(caller.departmentId, kind);
    }
    @Put(':id/members')
    @ResolvesPathId(SetOfThisKind)
    @ApiOkResponse({ type: MemberSetDto })
    setMembers(@Caller() caller: Principal, @Param('id', ParseIdPipe) id: number, @Body() body: MemberIdsDto): Promise<MemberSetDto> {
      return this.sets.setMembers(caller.departmentId, kind, id, body.userIds);
    }
  }
  return MemberSetController;
}
