// The controlled vocabularies of the national catalog standard (metadata.md). Values are stored as the
// standard writes them (Chinese), because that is what agencies exchange; code and API keys stay English.

export const SHARE_TYPES = ['无条件共享', '有条件共享', '不予共享'] as const;
export type ShareType = (typeof SHARE_TYPES)[number];

/** The founding document's words, mapped to the national values wherever they appear on input. */
export const LEGACY_SHARE_TYPES: Record<string, ShareType> = { 完全共享: '无条件共享', 部分共享: '有条件共享' };

/** Higher is stricter; an item may be stricter than its resource, never looser. */
export const SHARE_STRICTNESS: Record<ShareType, number> = { 无条件共享: 0, 有条件共享: 1, 不予共享: 2 };

export const FORMAT_TYPES = {
  电子文件: ['OFD', 'wps', 'xml', 'txt', 'doc', 'docx', 'html', 'pdf', 'ppt', '其他'],
  电子表格: ['et', 'xls', 'xlsx', '其他'],
  数据库: ['Dm', 'KingbaseES', 'access', 'dbf', 'dbase', 'sysbase', 'oracle', 'sqlserver', 'db2', 'mysql', '其他'],
  图形图像: ['jpg', 'gif', 'bmp', '其他'],
  流媒体: ['swf', 'rm', 'mpg', '其他'],
  自描述格式: ['其他'],
  服务接口: ['REST', 'SOAP', '其他'], // local extension
} as const satisfies Record<string, readonly string[]>;
export type FormatCategory = keyof typeof FORMAT_TYPES;
export const FORMAT_CATEGORIES = Object.keys(FORMAT_TYPES) as FormatCategory[];

/** Formats whose data items must be listed (metadata.md element 9). */
export const ITEMISED_FORMATS: readonly FormatCategory[] = ['电子表格', '数据库'];

export const DATA_TYPES = {
  C: '字符型', N: '数值型', Y: '货币型', D: '日期型', T: '日期时间型', L: '逻辑型',
  M: '备注型', G: '通用型', B: '双精度型', I: '整型', F: '浮点型',
} as const;
export type DataType = keyof typeof DATA_TYPES;

export const METHOD_CATEGORIES = ['共享平台方式', '邮件', '拷盘', '介质交换'] as const;
export type MethodCategory = (typeof METHOD_CATEGORIES)[number];
export const PLATFORM_METHOD_TYPES = ['数据库', '接口', '文件'] as const;
export type PlatformMethodType = (typeof PLATFORM_METHOD_TYPES)[number];

/** Which platform delivery types fit a format category: file-like formats travel as files. */
export function allowedMethodTypes(category: FormatCategory): readonly PlatformMethodType[] {
  if (category === '数据库') return ['数据库', '接口'];
  if (category === '服务接口') return ['接口'];
  return ['文件'];
}

export const UPDATE_CYCLES = ['实时', '每日', '每周', '每月', '每季度', '每半年', '每年', '不定期', '其他'] as const;
export type UpdateCycle = (typeof UPDATE_CYCLES)[number];

export const BASE_DATABASES = ['人口', '法人单位', '地理空间', '统计指标'] as const;
export type BaseDatabase = (typeof BASE_DATABASES)[number];

export const SECRECY = ['非涉密', '涉密'] as const;
export type Secrecy = (typeof SECRECY)[number];

export const RESOURCE_STATUSES = ['draft', 'submitted', 'under_review', 'returned', 'approved', 'in_batch', 'batch_submitted', 'published', 'withdrawn'] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/** A steward edits an entry only while it is with them: before submission, or after it was returned. */
export const EDITABLE_STATUSES: readonly ResourceStatus[] = ['draft', 'returned'];

export const STATUS_LABELS: Record<ResourceStatus, string> = {
  draft: '草稿', submitted: '已提交', under_review: '审查中', returned: '已退回',
  approved: '审查通过', in_batch: '已编入批次', batch_submitted: '已报市政府', published: '已发布', withdrawn: '已撤销',
};
