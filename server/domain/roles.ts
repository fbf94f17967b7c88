// Roles of the people who use the catalog. The three administrators are separate duties (等保 三权分立): the system
// administrator keeps reference data, the security administrator keeps accounts and tokens, the audit administrator
// reads the audit log; none of them approves sharing.
//
// The city government's approval of publication batches (workflows.md A: "an approver role") is `city_approver`,
// a deciding body like the reviewers, not `leadership`: leadership reads the published catalog and the statistics,
// and a batch approver must open the unpublished entries and revisions it approves (issue 9).

export const ROLES = [
  'agency_staff', 'data_steward', 'reviewer', 'info_office', 'city_approver', 'leadership', 'sys_admin', 'security_admin', 'audit_admin',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  agency_staff: '机关工作人员', data_steward: '数据管理员', reviewer: '审查机关审查员', info_office: '市信息办',
  city_approver: '市政府审批', leadership: '领导', sys_admin: '系统管理员', security_admin: '安全管理员', audit_admin: '审计管理员',
};

/** The bodies that decide on catalog entries in any state: they see every entry, every version (security spec). */
export const DECIDING_ROLES: readonly Role[] = ['reviewer', 'info_office', 'city_approver'];

export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  agencyId: string;
  roles: Role[];
  demo?: boolean;
}

export function hasRole(actor: Actor | undefined, ...roles: Role[]): boolean {
  return !!actor && actor.roles.some((r) => roles.includes(r));
}

/**
 * The roles an API token may act with. Whoever issues a token holds its secret: a token for an administrator, a
 * reviewer or the information office would let the security administrator act in their name and undo the
 * separation of duties. So a token works only while every role of its account is one of these (B22).
 */
export const TOKEN_ROLES: readonly Role[] = ['agency_staff', 'data_steward'];

export function mayHoldTokens(roles: readonly Role[]): boolean {
  return roles.length > 0 && roles.every((r) => TOKEN_ROLES.includes(r));
}
