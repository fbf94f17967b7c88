// Demo accounts, one or more per role. They exist only in the embedded demo (never with NODE_ENV=production),
// carry `demo: true`, and the UI labels them. Their passwords are published in the README on purpose.

import type { Role } from '../domain/roles.ts';

export interface DemoUser { username: string; displayName: string; agencyId: string; roles: Role[]; password: string }

export const DEMO_USERS: DemoUser[] = [
  { username: 'steward.gaj', displayName: '王敏(市公安局数据管理员)', agencyId: 'ag-gaj', roles: ['data_steward', 'agency_staff'], password: 'demo-steward-2026' },
  { username: 'steward.gsj', displayName: '李强(市工商局数据管理员)', agencyId: 'ag-gsj', roles: ['data_steward', 'agency_staff'], password: 'demo-steward-2026' },
  { username: 'steward.mzj', displayName: '陈静(市民政局数据管理员)', agencyId: 'ag-mzj', roles: ['data_steward', 'agency_staff'], password: 'demo-steward-2026' },
  { username: 'staff.wsj', displayName: '赵磊(市卫生局工作人员)', agencyId: 'ag-wsj', roles: ['agency_staff'], password: 'demo-staff-2026' },
  { username: 'reviewer.fzb', displayName: '孙琳(市法制办审查员)', agencyId: 'ag-fzb', roles: ['reviewer'], password: 'demo-reviewer-2026' },
  { username: 'office.xxb', displayName: '周涛(市信息办)', agencyId: 'ag-xxb', roles: ['info_office'], password: 'demo-office-2026' },
  { username: 'leader', displayName: '吴华(市领导)', agencyId: 'ag-city', roles: ['leadership'], password: 'demo-lingdao-2026' },
  { username: 'approver', displayName: '郑岚(市政府办公厅审批)', agencyId: 'ag-city', roles: ['city_approver'], password: 'demo-shenpi-2026' },
  { username: 'sysadmin', displayName: '系统管理员(演示)', agencyId: 'ag-xxb', roles: ['sys_admin'], password: 'demo-system-2026' },
  { username: 'secadmin', displayName: '安全管理员(演示)', agencyId: 'ag-xxb', roles: ['security_admin'], password: 'demo-security-2026' },
  { username: 'auditor', displayName: '审计管理员(演示)', agencyId: 'ag-xxb', roles: ['audit_admin'], password: 'demo-audit-2026' },
];
