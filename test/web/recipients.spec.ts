import { audienceProblem, resolveAudience, type Audience, type DirectoryLists } from '../../web/src/recipients';

// The compose screen's "reaches N people" follows the server's send rules (CONTRACT.md, Composing).
describe('the reach the compose screen shows', () => {
  const dir: DirectoryLists = {
    members: [1, 2, 3, 4, 5, 6].map((id) => ({ id, active: id !== 6 })),
    groups: [{ id: 10, memberIds: [2, 3, 4, 6] }],
    roles: [{ id: 20, memberIds: [3, 4, 5] }],
    shifts: [{ id: 30, memberIds: [4] }],
  };
  const audience = (a: Partial<Audience>): Audience => ({ sendMode: 'specific', userIds: [], groupIds: [], roleIds: [], excludeShiftIds: [], ...a });
  const reach = (a: Partial<Audience>) => [...resolveAudience(audience(a), dir, 1)].sort();

  it('sends to everyone but the sender and inactive members', () => {
    expect(reach({ sendMode: 'all' })).toEqual([2, 3, 4, 5]);
  });

  it('matches holders of a role who are also in a group', () => {
    expect(reach({ sendMode: 'match', groupIds: [10], roleIds: [20] })).toEqual([3, 4]);
  });

  it('takes members of an excluded shift out of the expansions', () => {
    expect(reach({ sendMode: 'all', excludeShiftIds: [30] })).toEqual([2, 3, 5]);
    expect(reach({ sendMode: 'match', groupIds: [10], roleIds: [20], excludeShiftIds: [30] })).toEqual([3]);
  });

  it('keeps a person named one by one even when their shift is excluded', () => {
    expect(reach({ userIds: [4], groupIds: [10], excludeShiftIds: [30] })).toEqual([2, 3, 4]);
  });

  it('never counts the sender, even when named', () => {
    expect(reach({ userIds: [1, 2] })).toEqual([2]);
  });

  it('says what is missing before a match or specific send can resolve', () => {
    expect(audienceProblem(audience({ sendMode: 'match', groupIds: [10] }))).toMatch(/group and one role/);
    expect(audienceProblem(audience({ sendMode: 'specific' }))).toMatch(/people, groups or roles/);
    expect(audienceProblem(audience({ sendMode: 'all' }))).toBeNull();
  });
});
