// Reference data for the city's catalog: the agency tree and the information resource classification tree.
//
// The twenty pilot departments, the two pilot districts, 市信息办 and the review authority (审查机关) come from the
// founding document (metadata.md "Agencies"). Agency codes are GB 32100 unified social credit codes built from a
// deterministic organisation code, so they are stable across runs but are NOT the agencies' real codes.
// The city's class-3 sub-codes (杭州市 → department → business) are not published nationally: the values below are
// seed values an administrator may change.

import { creditCheckChar, parseClassificationCode } from '../domain/codes.ts';
import type { Agency, ClassificationNode } from '../domain/entities.ts';

type AgencyRow = Omit<Agency, 'version'>;
type NodeRow = Omit<ClassificationNode, 'version'>;

export const CITY_ID = 'ag-city';
const CITY_REGION = '330100';

/** [id, shortName, full name, business nodes (class 3, under the department's node)] in the founding document's order. */
export const PILOT_DEPARTMENTS: readonly (readonly [string, string, string, readonly string[]])[] = [
  ['ag-fgw', '市发改委', '杭州市发展和改革委员会', ['项目审批管理', '价格管理', '经济运行监测']],
  ['ag-tjj', '市统计局', '杭州市统计局', ['统计调查', '统计数据发布', '统计执法']],
  ['ag-ldbzj', '市劳动保障局', '杭州市劳动和社会保障局', ['社会保险管理', '就业促进', '劳动关系']],
  ['ag-mzj', '市民政局', '杭州市民政局', ['社会救助', '婚姻收养登记', '社会组织管理']],
  ['ag-rkjsw', '市人口计生委', '杭州市人口和计划生育委员会', ['计划生育服务', '流动人口计划生育管理']],
  ['ag-wsj', '市卫生局', '杭州市卫生局', ['医政管理', '疾病预防控制', '卫生监督']],
  ['ag-jyj', '市教育局', '杭州市教育局', ['学籍管理', '招生考试', '教师管理']],
  ['ag-gaj', '市公安局', '杭州市公安局', ['户政管理', '交通管理', '治安管理']],
  ['ag-gsj', '市工商局', '杭州市工商行政管理局', ['企业登记', '市场监管', '商标广告管理']],
  ['ag-dsj', '市地税局', '杭州市地方税务局', ['税务登记', '税收征管', '规费征收']],
  ['ag-zjj', '市质监局', '杭州市质量技术监督局', ['组织机构代码管理', '特种设备安全监察', '计量标准管理']],
  ['ag-rsj', '市人事局', '杭州市人事局', ['公务员管理', '专业技术人员管理', '人才引进']],
  ['ag-jhb', '市经合办', '杭州市经济合作办公室', ['招商引资', '区域合作']],
  ['ag-jw', '市建委', '杭州市城乡建设委员会', ['建筑市场管理', '工程质量安全监督', '城市基础设施']],
  ['ag-fgj', '市房管局', '杭州市房产管理局', ['房地产市场管理', '住房保障', '物业管理']],
  ['ag-ghj', '市规划局', '杭州市规划局', ['规划许可', '规划编制', '测绘地理信息']],
  ['ag-gtj', '市国土资源局', '杭州市国土资源局', ['土地供应', '不动产登记', '矿产地质管理']],
  ['ag-daj', '市档案局', '杭州市档案局', ['档案接收征集', '档案开放利用']],
  ['ag-xzfwzx', '市行政服务中心', '杭州市行政服务中心', ['审批服务', '窗口管理']],
  ['ag-gjjzx', '市公积金中心', '杭州住房公积金管理中心', ['归集管理', '贷款管理', '提取管理']],
];

/** [district id, shortName, full name, region code, departments: [id, shortName, full name]]. */
export const PILOT_DISTRICTS: readonly (readonly [string, string, string, string, readonly (readonly [string, string, string])[]])[] = [
  ['ag-sc', '上城区', '杭州市上城区人民政府', '330102', [
    ['ag-sc-gafj', '上城区公安分局', '杭州市公安局上城区分局'],
    ['ag-sc-mzj', '上城区民政局', '杭州市上城区民政局'],
    ['ag-sc-scjgj', '上城区市场监管局', '杭州市上城区市场监督管理局'],
    ['ag-sc-jyj', '上城区教育局', '杭州市上城区教育局'],
  ]],
  ['ag-xs', '萧山区', '杭州市萧山区人民政府', '330109', [
    ['ag-xs-gafj', '萧山区公安分局', '杭州市公安局萧山区分局'],
    ['ag-xs-wjj', '萧山区卫生健康局', '杭州市萧山区卫生健康局'],
    ['ag-xs-zrzyj', '萧山区自然资源规划分局', '杭州市规划和自然资源局萧山分局'],
    ['ag-xs-rsj', '萧山区人力社保局', '杭州市萧山区人力资源和社会保障局'],
  ]],
];

/** 市信息办 (the competent office, a department) and the other members of the review authority. */
const REVIEW_BODIES: readonly (readonly [string, string, string, Agency['kind']])[] = [
  ['ag-xxb', '市信息办', '杭州市信息化办公室', 'department'],
  ['ag-jcj', '市监察局', '杭州市监察局', 'review_member'],
  ['ag-fzb', '市法制办', '杭州市人民政府法制办公室', 'review_member'],
  ['ag-bmj', '市委保密局', '中共杭州市委保密局', 'review_member'],
];

/** GB 11714 check character of an 8-digit organisation code body. */
function orgCheckChar(body8: string): string {
  const w = [3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body8].reduce((s, c, i) => s + Number(c) * w[i], 0);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** A deterministic, all-digit 9-character organisation code for the n-th agency (skipping bodies whose check is X). */
function orgCode(n: number): string {
  for (let b = 47_010_000 + n * 1_013; ; b++) {
    const body = String(b);
    const check = orgCheckChar(body);
    if (check !== 'X') return body + check;
  }
}

/** '11' (机关) + region + organisation code + GB 32100 check character. */
export function agencyCreditCode(region: string, n: number): string {
  const first17 = `11${region}${orgCode(n)}`;
  return first17 + creditCheckChar(first17)!;
}

export function referenceAgencies(): AgencyRow[] {
  let n = 0;
  const row = (id: string, shortName: string, name: string, region: string, rest: Pick<AgencyRow, 'kind' | 'pilot' | 'reviewMember' | 'parentId'>): AgencyRow => ({
    id, name, shortName, code: agencyCreditCode(region, n++), ...rest,
  });
  const out: AgencyRow[] = [row(CITY_ID, '杭州市', '杭州市人民政府', CITY_REGION, { kind: 'city', pilot: false, reviewMember: false })];
  for (const [id, short, name] of PILOT_DEPARTMENTS) {
    out.push(row(id, short, name, CITY_REGION, { kind: 'department', pilot: true, reviewMember: false, parentId: CITY_ID }));
  }
  for (const [id, short, name, kind] of REVIEW_BODIES) {
    out.push(row(id, short, name, CITY_REGION, { kind, pilot: false, reviewMember: true, parentId: CITY_ID }));
  }
  for (const [id, short, name, region, depts] of PILOT_DISTRICTS) {
    out.push(row(id, short, name, region, { kind: 'district', pilot: true, reviewMember: false, parentId: CITY_ID }));
    for (const [did, dshort, dname] of depts) {
      out.push(row(did, dshort, dname, region, { kind: 'district_department', pilot: false, reviewMember: false, parentId: id }));
    }
  }
  return out;
}

/** Class 1 and 2: [item code, item name, entries (numbered 001, 002, … under the item)]. */
const BASE_ITEMS: readonly (readonly [string, string, readonly string[]])[] = [
  ['101', '人口', ['人口基本信息', '户籍信息', '人口流动信息', '人口计生信息']],
  ['102', '法人单位', ['法人单位基本信息', '企业登记信息', '机关事业单位信息', '社会组织信息']],
  ['103', '自然资源和空间地理', ['基础地理信息', '土地资源信息', '不动产登记信息', '规划空间信息']],
  ['104', '社会信用', ['法人信用信息', '自然人信用信息', '信用评价信息']],
  ['105', '电子证照', ['个人证照', '法人证照', '资质资格证书']],
  ['106', '统计指标', ['国民经济核算指标', '人口与就业统计指标', '行业统计指标', '区域统计指标']],
];

const THEME_ITEMS: readonly (readonly [string, string, readonly string[]])[] = [
  ['201', '公共服务', ['政务服务事项', '教育服务', '公共文化服务']],
  ['202', '健康保障', ['医疗卫生服务', '疾病预防控制', '妇幼健康']],
  ['203', '社会保障', ['社会保险', '社会救助', '就业服务']],
  ['204', '食品药品安全', ['食品安全监管', '药品医疗器械监管']],
  ['205', '安全生产', ['安全生产监管', '特种设备安全']],
  ['206', '价格监管', ['价格监测', '收费管理']],
  ['207', '信用体系', ['信用信息归集', '守信联合激励和失信联合惩戒']],
  ['208', '城乡建设', ['工程建设管理', '住房保障', '房地产市场']],
  ['209', '社区治理', ['社区服务', '基层自治']],
  ['210', '生态环保', ['环境质量', '节能减排']],
  ['211', '应急维稳', ['应急管理', '社会治安']],
];

export const CITY_NODE = '30701601';
const pad2 = (n: number) => String(n).padStart(2, '0');

/** The class-3 node of every agency that authors resources (pilot departments, districts, district departments). */
export function agencyNodeCodes(): Map<string, string> {
  const m = new Map<string, string>();
  PILOT_DEPARTMENTS.forEach(([id], i) => m.set(id, CITY_NODE + pad2(i + 1)));
  PILOT_DISTRICTS.forEach(([id, , , , depts], i) => {
    const d = CITY_NODE + pad2(PILOT_DEPARTMENTS.length + i + 1);
    m.set(id, d);
    depts.forEach(([did], j) => m.set(did, d + pad2(j + 1)));
  });
  return m;
}

/** Business node codes of a pilot department, in the order of PILOT_DEPARTMENTS' business list. */
export function businessNodeCodes(agencyId: string): string[] {
  const dept = PILOT_DEPARTMENTS.find(([id]) => id === agencyId);
  const base = agencyNodeCodes().get(agencyId);
  return dept && base ? dept[3].map((_, i) => base + pad2(i + 1)) : [];
}

export function referenceClassification(): NodeRow[] {
  const out: NodeRow[] = [];
  const add = (code: string, name: string, parentCode?: string) => {
    if (!parseClassificationCode(code) && code.length > 1) throw new Error(`bad classification code ${code}`);
    const level = (code.length === 1 ? 1 : code.length === 3 ? 2 : code.length === 6 ? 3 : 4) as NodeRow['level'];
    out.push({ id: code, code, name, level, ...(parentCode ? { parentCode } : {}) });
  };
  for (const [cls, clsName, items] of [['1', '基础信息资源类', BASE_ITEMS], ['2', '主题信息资源类', THEME_ITEMS]] as const) {
    add(cls, clsName);
    for (const [item, itemName, entries] of items) {
      add(item, itemName, cls);
      entries.forEach((e, i) => add(item + String(i + 1).padStart(3, '0'), e, item));
    }
  }
  add('3', '部门信息资源类');
  add('307', '省(自治区、直辖市)和计划单列市', '3');
  add('307016', '浙江省', '307');
  add(CITY_NODE, '杭州市', '307016');
  const nodes = agencyNodeCodes();
  for (const [id, short, , business] of PILOT_DEPARTMENTS) {
    const code = nodes.get(id)!;
    add(code, short, CITY_NODE);
    business.forEach((b, i) => add(code + pad2(i + 1), b, code));
  }
  for (const [id, short, , , depts] of PILOT_DISTRICTS) {
    const code = nodes.get(id)!;
    add(code, short, CITY_NODE);
    for (const [did, dshort] of depts) add(nodes.get(did)!, dshort, code);
  }
  return out;
}
