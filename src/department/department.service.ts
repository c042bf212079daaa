import { Injectable, Logger } from '@nestjs/common';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '../common/errors/domain-error';
import { PrincipalService } from '../auth/principal.service';
import { hashPassword } from '../auth/password';
import { SessionService } from '../auth/session.service';
import { AccessCatalog } from './access-catalog';
import { Department } from './department.entity';
import { Member } from './member.entity';
import type { DepartmentView, MemberChangesDto, MemberView, NewMemberDto, SignUpAnswer } from './dto/department.dto';

export const toMemberView = (m: Member): MemberView => ({
  id: m.id,
  name: m.name,
  email: m.email,
  permissions: m.permissions,
  isAdmin: m.isAdmin,
  active: m.active,
  currentZoneId: m.currentZoneId,
});

const toDepartmentView = (d: Department): DepartmentView => ({ id: d.id, name: d.name, modules: { messages: true, ...d.modules } });

/** Departments and their members: the host's source of who is who. */
@Injectable()
export class DepartmentService {
  private readonly logger = new Logger('SignUp');

  constructor(
    private readonly em: EntityManager,
    private readonly principals: PrincipalService,
    private readonly sessions: SessionService,
    private readonly catalog: AccessCatalog,
  ) {}

  /**
   * A new department and its first admin, unless the email is in use: then nothing is created.
   * Both take a password hash and answer alike, so neither the answer nor its time says which.
   */
  async createDepartment(name: string, admin: { name: string; email: string; password: string }): Promise<SignUpAnswer> {
    const passwordHash = await hashPassword(admin.password);
    try {
      await this.em.transactional(async (em) => {
        const [taken] = await em.getConnection().execute('select 1 from members where email = ?', [admin.email]);
        if (taken) throw DomainError.conflict('email in use');
        const department = em.create(Department, { name, modules: { messages: true }, createdAt: new Date() });
        await em.flush();
        await this.addMemberIn(em, department.id, { ...admin, isAdmin: true }, passwordHash);
      });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'conflict') && !(error instanceof UniqueConstraintViolationException)) throw error;
      this.logger.log('sign-up with an email already in use: nothing created');
    }
    return { message: 'If that email was not in use yet, the department and its admin are created: log in with that email and password' };
  }

  async getDepartment(departmentId: number): Promise<DepartmentView> {
    const department = await this.em.findOneOrFail(Department, departmentId);
    return toDepartmentView(department);
  }

  async switchModule(departmentId: number, moduleName: string, enabled: boolean): Promise<DepartmentView> {
    if (!this.catalog.modules.includes(moduleName)) throw DomainError.notFound(`No module named ${moduleName}`);
    const department = await this.em.findOneOrFail(Department, departmentId);
    department.modules = { ...department.modules, [moduleName]: enabled };
    await this.em.flush();
    await this.principals.departmentChanged(departmentId);
    return toDepartmentView(department);
  }

  async listMembers(departmentId: number): Promise<MemberView[]> {
    const members = await this.em.find(Member, { departmentId }, { orderBy: { id: 'asc' } });
    return members.map(toMemberView);
  }

  async addMember(departmentId: number, input: NewMemberDto): Promise<MemberView> {
    return toMemberView(await this.addMemberIn(this.em, departmentId, input));
  }

  async changeMember(departmentId: number, memberId: number, changes: MemberChangesDto): Promise<MemberView> {
    const member = await this.em.findOne(Member, { id: memberId, departmentId });
    if (!member) throw DomainError.notFound(`Member ${memberId} not found`);
    if (changes.currentZoneId != null) {
      const [zone] = await this.em
        .getConnection()
        .execute(`select 1 from member_sets where id = ? and department_id = ? and kind = 'zone'`, [changes.currentZoneId, departmentId]);
      if (!zone) throw DomainError.invalid(`currentZoneId ${changes.currentZoneId} is not a zone of this department`);
    }
    if (changes.permissions !== undefined) member.permissions = this.grantable(changes.permissions);
    if (changes.isAdmin !== undefined) member.isAdmin = changes.isAdmin;
    if (changes.active !== undefined) member.active = changes.active;
    if (changes.currentZoneId !== undefined) member.currentZoneId = changes.currentZoneId;
    await this.em.flush();
    await this.principals.memberChanged(memberId);
    return toMemberView(member);
  }

  /** Ends every session of the member: an admin's reset when a password is lost or known to others. */
  async resetPassword(departmentId: number, memberId: number, password: string): Promise<void> {
    await this.sessions.resetPassword(departmentId, memberId, password);
  }

  /** Each permission once, every one known to the mounted modules (else 400 naming it). */
  private grantable(permissions: readonly string[]): string[] {
    const unknown = permissions.filter((p) => !this.catalog.permissions.includes(p));
    if (unknown.length) throw DomainError.invalid(`permissions: ${unknown.join(', ')} is not one of ${this.catalog.permissions.join(', ')}`);
    return [...new Set(permissions)];
  }

  private async addMemberIn(
    em: EntityManager,
    departmentId: number,
    input: { name: string; email: string; password: string; permissions?: string[]; isAdmin?: boolean },
    passwordHash?: string,
  ): Promise<Member> {
    // The DTO gave the email in its normalized form, the form every stored email has.
    const [taken] = await em.getConnection().execute('select 1 from members where email = ?', [input.email]);
    if (taken) throw DomainError.conflict(`The email ${input.email} is already in use`);
    const member = em.create(Member, {
      departmentId,
      name: input.name,
      email: input.email,
      passwordHash: passwordHash ?? (await hashPassword(input.password)),
      permissions: this.grantable(input.permissions ?? this.catalog.memberDefaults),
      isAdmin: input.isAdmin ?? false,
      active: true,
      currentZoneId: null,
      createdAt: new Date(),
    });
    await em.flush();
    return member;
  }
}
