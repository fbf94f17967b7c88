// Deterministic generator of valid catalog entries (ResourceInput) for the benchmarks.
//
// Everything random comes from one seeded PRNG (mulberry32), so the same seed gives the same records on every run
// and machine. Records are spread over the reference agencies that author resources (the pilot departments, the
// pilot districts and their departments) and over the reference classification tree: either a class-1/2 entry that
// fits the agency's subject, or the agency's own class-3 node or one of its business nodes. Every record passes
// validateResourceInput against the reference data: all three share types with the condition or basis each
// requires, a sharing method that fits the format, 5–30 typed data items for 数据库/电子表格, names unique per
// provider after folding (nameKey). Nothing here touches a store.

import { type ClassificationRef, parseClassificationCode } from '../server/domain/codes.ts';
import { type DataItem, type ResourceInput, nameKey } from '../server/domain/resource.ts';
import {
  type BaseDatabase, type DataType, FORMAT_TYPES, type FormatCategory, ITEMISED_FORMATS, METHOD_CATEGORIES, type ShareType,
  type UpdateCycle, allowedMethodTypes,
} from '../server/domain/vocab.ts';
import { agencyNodeCodes, businessNodeCodes, referenceAgencies, referenceClassification } from '../server/seed/reference.ts';
import { mulberry32 } from '../server/seed/random.ts';

export const DEFAULT_SEED = 0x5eed2024;


// ---------------------------------------------------------------------------------------------------------------
// Word lists

/** [name, data type, length (required for C)] */
type ItemDef = readonly [string, DataType, number?];

interface Domain {
  /** Subjects a resource of this domain is about. */
  subjects: readonly string[];
  /** Class-1/2 entry codes (类+项+目) that fit the domain. */
  entries: readonly string[];
  /** The verb phrase of the abstract: the business in which the data is collected. */
  process: readonly string[];
  items: readonly ItemDef[];
}

const DOMAINS: Record<string, Domain> = {
  人口: {
    subjects: ['常住人口', '户籍人口', '流动人口', '暂住人口', '出生人口', '死亡人口', '迁入人口', '迁出人口', '育龄妇女', '独生子女家庭'],
    entries: ['101001', '101002', '101003', '101004'],
    process: ['户籍登记', '居住登记', '人口普查', '计划生育服务'],
    items: [
      ['公民身份号码', 'C', 18], ['姓名', 'C', 50], ['性别', 'C', 1], ['出生日期', 'D'], ['民族', 'C', 2], ['户籍地址', 'C', 200],
      ['现住址', 'C', 200], ['联系电话', 'C', 20], ['文化程度', 'C', 2], ['婚姻状况', 'C', 2], ['职业', 'C', 50], ['服务处所', 'C', 100],
      ['与户主关系', 'C', 2], ['户号', 'C', 20], ['迁入日期', 'D'], ['迁出日期', 'D'], ['迁入原因', 'C', 50], ['监护人姓名', 'C', 50],
      ['出生地', 'C', 100], ['籍贯', 'C', 100], ['宗教信仰', 'C', 20], ['兵役状况', 'C', 2], ['身高', 'N'], ['血型', 'C', 2],
    ],
  },
  法人: {
    subjects: ['企业', '个体工商户', '农民专业合作社', '外商投资企业', '社会组织', '事业单位', '分支机构', '民办非企业单位'],
    entries: ['102001', '102002', '102003', '102004', '104001', '105002'],
    process: ['设立登记', '变更登记', '年度报告公示', '注销登记'],
    items: [
      ['统一社会信用代码', 'C', 18], ['企业名称', 'C', 200], ['法定代表人', 'C', 50], ['注册资本', 'Y'], ['成立日期', 'D'], ['住所', 'C', 200],
      ['经营范围', 'M'], ['登记机关', 'C', 100], ['核准日期', 'D'], ['企业类型', 'C', 50], ['经营状态', 'C', 20], ['行业代码', 'C', 5],
      ['从业人数', 'I'], ['营业期限自', 'D'], ['营业期限至', 'D'], ['实收资本', 'Y'], ['投资人名称', 'C', 200], ['出资比例', 'F'],
      ['组织机构代码', 'C', 10], ['注销日期', 'D'], ['吊销日期', 'D'], ['联系电话', 'C', 20], ['邮政编码', 'C', 6], ['网站网址', 'C', 200],
    ],
  },
  社保: {
    subjects: ['养老保险', '医疗保险', '失业保险', '工伤保险', '生育保险', '就业登记', '失业登记', '职业技能培训', '劳动合同'],
    entries: ['203001', '203003', '101001'],
    process: ['参保登记', '缴费核定', '待遇核发', '就业服务'],
    items: [
      ['公民身份号码', 'C', 18], ['姓名', 'C', 50], ['个人编号', 'C', 20], ['单位编号', 'C', 20], ['单位名称', 'C', 200], ['参保日期', 'D'],
      ['险种类型', 'C', 2], ['缴费基数', 'Y'], ['缴费月数', 'I'], ['个人账户余额', 'Y'], ['待遇类别', 'C', 2], ['待遇金额', 'Y'],
      ['发放日期', 'D'], ['就业状态', 'C', 2], ['就业失业登记证号', 'C', 30], ['培训工种', 'C', 50], ['证书编号', 'C', 30],
      ['合同起始日期', 'D'], ['合同终止日期', 'D'], ['工伤认定日期', 'D'], ['伤残等级', 'C', 2], ['经办机构', 'C', 100],
    ],
  },
  卫生: {
    subjects: ['医疗机构', '执业医师', '执业护士', '出生医学证明', '预防接种', '传染病报告', '卫生许可', '妇幼保健', '居民健康档案'],
    entries: ['202001', '202002', '202003', '105003'],
    process: ['执业注册', '疾病监测', '卫生监督检查', '健康管理'],
    items: [
      ['机构名称', 'C', 200], ['机构代码', 'C', 22], ['机构类别', 'C', 10], ['床位数', 'I'], ['执业地址', 'C', 200], ['执业范围', 'M'],
      ['姓名', 'C', 50], ['公民身份号码', 'C', 18], ['执业证书编码', 'C', 30], ['执业类别', 'C', 20], ['注册日期', 'D'], ['疫苗名称', 'C', 100],
      ['接种日期', 'D'], ['接种单位', 'C', 200], ['疾病名称', 'C', 100], ['诊断日期', 'D'], ['报告单位', 'C', 200], ['许可证号', 'C', 30],
      ['有效期至', 'D'], ['新生儿姓名', 'C', 50], ['出生体重', 'N'], ['出生医学证明编号', 'C', 20], ['检查结果', 'M'],
    ],
  },
  教育: {
    subjects: ['在校学生', '中小学学籍', '教职工', '学校基本情况', '招生录取', '学业水平考试', '学生资助', '校舍', '民办学校'],
    entries: ['201002', '101001', '105003'],
    process: ['学籍管理', '招生考试', '教师资格认定', '教育统计'],
    items: [
      ['学籍号', 'C', 19], ['姓名', 'C', 50], ['公民身份号码', 'C', 18], ['性别', 'C', 1], ['出生日期', 'D'], ['学校名称', 'C', 200],
      ['学校代码', 'C', 10], ['年级', 'C', 10], ['班级', 'C', 20], ['入学日期', 'D'], ['毕业日期', 'D'], ['监护人姓名', 'C', 50],
      ['监护人联系电话', 'C', 20], ['教师资格证号', 'C', 30], ['任教学科', 'C', 50], ['职称', 'C', 20], ['考生号', 'C', 14],
      ['录取学校', 'C', 200], ['总分', 'N'], ['资助金额', 'Y'], ['办学类型', 'C', 20], ['在校生人数', 'I'], ['校舍面积', 'N'],
    ],
  },
  公安: {
    subjects: ['机动车', '驾驶人', '交通违法', '旅馆业住宿', '出入境证件', '居民身份证', '保安从业单位', '重点场所'],
    entries: ['101001', '101002', '211002', '105001'],
    process: ['车辆登记', '治安管理', '证件签发', '交通执法'],
    items: [
      ['公民身份号码', 'C', 18], ['姓名', 'C', 50], ['号牌号码', 'C', 15], ['号牌种类', 'C', 2], ['车辆类型', 'C', 5], ['车辆识别代号', 'C', 17],
      ['初次登记日期', 'D'], ['检验有效期止', 'D'], ['准驾车型', 'C', 10], ['驾驶证档案编号', 'C', 12], ['违法时间', 'T'],
      ['违法地点', 'C', 200], ['违法行为代码', 'C', 5], ['罚款金额', 'Y'], ['记分', 'I'], ['旅馆名称', 'C', 200], ['入住时间', 'T'],
      ['退房时间', 'T'], ['证件号码', 'C', 30], ['签发机关', 'C', 100], ['签发日期', 'D'], ['有效期限', 'C', 30], ['户籍地址', 'C', 200],
    ],
  },
  建设: {
    subjects: ['建设工程项目', '房屋交易', '商品房预售', '保障性住房', '物业服务企业', '建筑业企业资质', '施工许可', '房屋产权'],
    entries: ['208001', '208002', '208003', '103003'],
    process: ['施工许可', '商品房预售许可', '房屋交易备案', '资质审批'],
    items: [
      ['项目名称', 'C', 200], ['项目编号', 'C', 30], ['建设单位', 'C', 200], ['施工单位', 'C', 200], ['监理单位', 'C', 200], ['建设地址', 'C', 200],
      ['总投资', 'Y'], ['建筑面积', 'N'], ['开工日期', 'D'], ['竣工日期', 'D'], ['施工许可证号', 'C', 30], ['预售许可证号', 'C', 30],
      ['房屋坐落', 'C', 200], ['不动产单元号', 'C', 28], ['合同编号', 'C', 30], ['成交价格', 'Y'], ['备案日期', 'D'], ['产权人', 'C', 100],
      ['资质等级', 'C', 20], ['资质证书编号', 'C', 30], ['统一社会信用代码', 'C', 18], ['物业管理区域', 'C', 200], ['户型', 'C', 20],
    ],
  },
  规划: {
    subjects: ['土地利用现状', '建设用地规划', '基础地理', '地名地址', '控制性详细规划', '不动产登记', '地籍调查', '耕地保护'],
    entries: ['103001', '103002', '103003', '103004'],
    process: ['规划许可', '用地审批', '测绘成果管理', '不动产登记'],
    items: [
      ['地块编号', 'C', 30], ['地块名称', 'C', 200], ['用地性质', 'C', 10], ['用地面积', 'N'], ['容积率', 'F'], ['建筑密度', 'F'],
      ['绿地率', 'F'], ['行政区划代码', 'C', 12], ['坐标系', 'C', 30], ['图幅号', 'C', 20], ['比例尺', 'C', 20], ['地名', 'C', 100],
      ['标准地址', 'C', 200], ['经度', 'B'], ['纬度', 'B'], ['不动产单元号', 'C', 28], ['权利人', 'C', 200], ['权利类型', 'C', 20],
      ['登记日期', 'D'], ['规划许可证号', 'C', 30], ['批准文号', 'C', 50], ['宗地代码', 'C', 19], ['空间范围', 'G'],
    ],
  },
  税务: {
    subjects: ['纳税人登记', '税收征收', '发票领用', '欠税公告', '税收减免', '社会保险费征收', '纳税信用评价', '个人所得税'],
    entries: ['102001', '104001', '106001'],
    process: ['税务登记', '申报征收', '发票管理', '税务稽查'],
    items: [
      ['纳税人识别号', 'C', 20], ['纳税人名称', 'C', 200], ['统一社会信用代码', 'C', 18], ['法定代表人', 'C', 50], ['登记注册类型', 'C', 3],
      ['主管税务机关', 'C', 100], ['税种', 'C', 20], ['征收品目', 'C', 50], ['税款所属期起', 'D'], ['税款所属期止', 'D'], ['应纳税额', 'Y'],
      ['已缴税额', 'Y'], ['入库日期', 'D'], ['欠税余额', 'Y'], ['减免性质代码', 'C', 20], ['减免税额', 'Y'], ['信用等级', 'C', 2],
      ['评价年度', 'C', 4], ['发票种类', 'C', 20], ['领用数量', 'I'], ['登记日期', 'D'], ['生产经营地址', 'C', 200],
    ],
  },
  质监: {
    subjects: ['特种设备', '计量器具', '产品质量抽查', '组织机构代码', '工业产品生产许可', '标准化', '检验检测机构'],
    entries: ['205002', '204001', '102001'],
    process: ['安全监察', '监督抽查', '许可审批', '检定校准'],
    items: [
      ['设备注册代码', 'C', 20], ['设备类别', 'C', 10], ['设备品种', 'C', 50], ['使用单位', 'C', 200], ['安装地点', 'C', 200],
      ['制造单位', 'C', 200], ['出厂日期', 'D'], ['检验日期', 'D'], ['下次检验日期', 'D'], ['检验结论', 'C', 20], ['器具名称', 'C', 100],
      ['出厂编号', 'C', 30], ['检定结果', 'C', 20], ['产品名称', 'C', 200], ['规格型号', 'C', 100], ['抽查结果', 'C', 20],
      ['许可证编号', 'C', 30], ['发证日期', 'D'], ['有效期至', 'D'], ['组织机构代码', 'C', 10], ['机构名称', 'C', 200], ['标准编号', 'C', 30],
    ],
  },
  统计: {
    subjects: ['地区生产总值', '规模以上工业', '固定资产投资', '社会消费品零售', '居民收支', '人口抽样调查', '经济普查', '农业普查'],
    entries: ['106001', '106002', '106003', '106004'],
    process: ['统计调查', '统计报表汇总', '普查登记', '数据发布'],
    items: [
      ['指标名称', 'C', 100], ['指标代码', 'C', 20], ['统计期', 'C', 10], ['地区代码', 'C', 12], ['地区名称', 'C', 100], ['计量单位', 'C', 20],
      ['本期值', 'N'], ['上年同期值', 'N'], ['同比增长', 'F'], ['累计值', 'N'], ['调查对象代码', 'C', 20], ['调查对象名称', 'C', 200],
      ['行业代码', 'C', 5], ['从业人员期末人数', 'I'], ['营业收入', 'Y'], ['利润总额', 'Y'], ['资产总计', 'Y'], ['数据来源', 'C', 100],
      ['填报日期', 'D'], ['填报人', 'C', 50], ['审核状态', 'C', 10], ['口径说明', 'M'],
    ],
  },
  民政: {
    subjects: ['城乡低保', '特困供养', '婚姻登记', '收养登记', '社会组织', '养老机构', '殡葬服务', '优抚对象', '临时救助'],
    entries: ['203002', '101001', '102004', '209001'],
    process: ['救助审批', '婚姻登记', '社会组织登记', '养老服务'],
    items: [
      ['公民身份号码', 'C', 18], ['姓名', 'C', 50], ['户籍地址', 'C', 200], ['家庭人口数', 'I'], ['保障人数', 'I'], ['救助金额', 'Y'],
      ['救助类别', 'C', 10], ['审批日期', 'D'], ['男方姓名', 'C', 50], ['女方姓名', 'C', 50], ['登记日期', 'D'], ['结婚证字号', 'C', 30],
      ['登记机关', 'C', 100], ['社会组织名称', 'C', 200], ['业务主管单位', 'C', 200], ['机构名称', 'C', 200], ['床位数', 'I'],
      ['入住人数', 'I'], ['优抚类别', 'C', 10], ['抚恤金额', 'Y'], ['发放日期', 'D'], ['所属社区', 'C', 100],
    ],
  },
  经济: {
    subjects: ['政府投资项目', '重点建设项目', '商品价格', '行政事业性收费', '招商引资项目', '区域合作项目', '能源消费', '节能审查'],
    entries: ['206001', '206002', '210002', '106003'],
    process: ['项目审批', '价格监测', '收费管理', '经济运行监测'],
    items: [
      ['项目名称', 'C', 200], ['项目代码', 'C', 24], ['项目单位', 'C', 200], ['建设地点', 'C', 200], ['总投资', 'Y'], ['审批文号', 'C', 50],
      ['审批日期', 'D'], ['建设规模', 'M'], ['计划开工日期', 'D'], ['商品名称', 'C', 100], ['规格等级', 'C', 50], ['价格', 'Y'],
      ['采价日期', 'D'], ['采价点', 'C', 100], ['收费项目', 'C', 100], ['收费标准', 'C', 200], ['收费依据', 'C', 200], ['签约金额', 'Y'],
      ['合作方', 'C', 200], ['能源品种', 'C', 20], ['消费量', 'N'], ['综合能耗', 'N'],
    ],
  },
};

/** Items any record may carry in addition to its domain's. */
const COMMON_ITEMS: readonly ItemDef[] = [
  ['记录编号', 'C', 32], ['数据来源', 'C', 100], ['更新时间', 'T'], ['备注', 'M'], ['经办人', 'C', 50], ['经办机构', 'C', 100],
  ['创建时间', 'T'], ['有效标志', 'L'], ['所属区县', 'C', 50], ['业务编号', 'C', 40], ['办理状态', 'C', 10], ['办结日期', 'D'],
];

/** The agencies that author resources, each with its domains (first = main). */
const AGENCY_DOMAINS: Record<string, readonly string[]> = {
  'ag-fgw': ['经济', '统计'], 'ag-tjj': ['统计', '经济'], 'ag-ldbzj': ['社保', '人口'], 'ag-mzj': ['民政', '人口'],
  'ag-rkjsw': ['人口', '卫生'], 'ag-wsj': ['卫生', '人口'], 'ag-jyj': ['教育', '人口'], 'ag-gaj': ['公安', '人口'],
  'ag-gsj': ['法人', '经济'], 'ag-dsj': ['税务', '法人'], 'ag-zjj': ['质监', '法人'], 'ag-rsj': ['社保', '教育'],
  'ag-jhb': ['经济', '法人'], 'ag-jw': ['建设', '规划'], 'ag-fgj': ['建设', '规划'], 'ag-ghj': ['规划', '建设'],
  'ag-sc': ['民政', '经济'], 'ag-xs': ['经济', '规划'],
  'ag-sc-gafj': ['公安', '人口'], 'ag-sc-mzj': ['民政', '人口'], 'ag-sc-scjgj': ['法人', '质监'], 'ag-sc-jyj': ['教育', '人口'],
  'ag-xs-gafj': ['公安', '人口'], 'ag-xs-wjj': ['卫生', '民政'], 'ag-xs-zrzyj': ['规划', '建设'], 'ag-xs-rsj': ['社保', '教育'],
};
const FALLBACK_DOMAINS = Object.keys(DOMAINS);

const QUALIFIERS = ['', '', '', '全市', '市区', '各区县', '城镇', '农村', '重点', '新增', '历年', '年度', '街道', '在册'];
const ASPECTS = ['基本', '登记', '变更', '注销', '统计', '监管', '审批', '核查', '台账', '明细', '汇总', '动态', '年报', '档案', '业务'];
const SUFFIXES = ['信息', '信息', '数据', '数据库', '目录', '名录', '情况表', '清单', '报表', '记录'];
const UNITS = ['办公室', '信息中心', '政策法规处', '综合业务处', '统计信息处', '数据管理科', '业务一处', '业务二处', '监督管理处', '服务中心'];
const SCOPES = ['覆盖全市范围', '覆盖本辖区范围', '覆盖市区范围', '覆盖各区县', '覆盖全部在册对象'];
const USES = [
  '供各机关核验身份与资格使用', '为行政审批和监管提供依据', '支撑跨部门业务协同', '用于统计分析与决策参考',
  '为公共服务事项办理提供数据支撑', '供相关部门比对核查', '服务于社会信用体系建设', '用于政策制定与效果评估',
];
const CYCLE_WORDS: Record<UpdateCycle, string> = {
  实时: '实时更新', 每日: '每日更新', 每周: '每周更新', 每月: '按月更新', 每季度: '按季度更新', 每半年: '每半年更新',
  每年: '每年更新', 不定期: '不定期更新', 其他: '随业务办理更新',
};
/** Update cycles, repeated entries weigh more. */
const CYCLES: readonly UpdateCycle[] = ['实时', '每日', '每日', '每日', '每周', '每月', '每月', '每月', '每季度', '每半年', '每年', '每年', '不定期', '不定期', '其他'];
const CONDITIONS = [
  '仅用于履行法定职责的身份核验', '须经提供方审批同意后按需共享', '仅向承担相关监管职责的部门共享', '限于行政审批事项办理中比对使用',
  '按照数据使用协议约定的范围和用途使用', '仅共享脱敏后的统计结果', '须通过共享平台按次申请并留痕',
];
const BASES_OF_REFUSAL = [
  '《中华人民共和国统计法》第二十五条:能够识别单个统计调查对象身份的资料不得对外提供',
  '涉及个人隐私,依据《中华人民共和国个人信息保护法》第十三条不予共享',
  '涉及商业秘密,依据《中华人民共和国反不正当竞争法》有关规定不予共享',
  '依据有关法律、行政法规规定只能由本机关使用',
];
const OPEN_CONDITIONS = ['通过市政府数据开放平台向社会开放', '以统计汇总形式向社会开放', '经脱敏处理后向社会开放'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '涛', '明', '超', '秀英', '建华', '晓东', '海燕'];

/** Format categories, repeated entries weigh more. */
const FORMATS: readonly FormatCategory[] = [
  '数据库', '数据库', '数据库', '数据库', '数据库', '数据库', '数据库', '数据库', '数据库', '电子表格', '电子表格', '电子表格', '电子表格',
  '电子文件', '电子文件', '电子文件', '服务接口', '服务接口', '图形图像', '流媒体', '自描述格式',
];
const FORMAT_CHOICES: Record<FormatCategory, readonly string[]> = {
  数据库: ['oracle', 'oracle', 'oracle', 'mysql', 'mysql', 'Dm', 'KingbaseES', 'sqlserver', 'db2', '其他'],
  电子表格: ['xlsx', 'xlsx', 'xlsx', 'xls', 'et', '其他'],
  电子文件: ['pdf', 'pdf', 'pdf', 'docx', 'OFD', 'wps', 'doc', 'html'],
  图形图像: ['jpg', 'jpg', 'bmp', 'gif'],
  流媒体: ['mpg', 'mpg', 'rm', 'swf'],
  自描述格式: ['其他'],
  服务接口: ['REST', 'REST', 'REST', 'SOAP'],
};
const OTHER_FORMAT: Record<FormatCategory, string> = {
  数据库: 'GaussDB 数据库', 电子表格: 'csv 逗号分隔文本', 电子文件: 'ceb 电子公文', 图形图像: 'tif 扫描图像', 流媒体: 'mp4 视频',
  自描述格式: 'JSON 数据包', 服务接口: 'WebService 查询核验服务',
};
const BASE_BY_ITEM: Record<string, BaseDatabase> = { '01': '人口', '02': '法人单位', '03': '地理空间', '06': '统计指标' };

// ---------------------------------------------------------------------------------------------------------------

interface Author {
  id: string;
  shortName: string;
  domains: Domain[];
  /** Class-3 nodes of the agency: its own node and its business nodes. */
  ownNodes: string[];
}

export interface GeneratorOptions {
  seed?: number;
}

/**
 * An endless, deterministic stream of valid ResourceInput objects. Records are produced one at a time so 100k of
 * them never sit in memory together; the generator remembers only each provider's folded names.
 */
export class ResourceGenerator {
  private readonly rnd: () => number;
  private readonly authors: Author[];
  private readonly usedNames = new Map<string, Set<string>>();
  private count = 0;

  constructor(opts: GeneratorOptions = {}) {
    this.rnd = mulberry32(opts.seed ?? DEFAULT_SEED);
    const nodes = new Set(referenceClassification().map((n) => n.code));
    for (const d of Object.values(DOMAINS)) {
      for (const e of d.entries) if (!nodes.has(e)) throw new Error(`generator: classification entry ${e} is not in the reference tree`);
    }
    const agencies = new Map(referenceAgencies().map((a) => [a.id, a]));
    const agencyNodes = agencyNodeCodes();
    this.authors = [...agencyNodes.keys()].map((id, i) => {
      const agency = agencies.get(id);
      if (!agency) throw new Error(`generator: agency ${id} is not in the reference data`);
      const domainNames = AGENCY_DOMAINS[id] ?? [FALLBACK_DOMAINS[i % FALLBACK_DOMAINS.length]];
      const ownNodes = [agencyNodes.get(id)!, ...businessNodeCodes(id)];
      for (const n of ownNodes) if (!nodes.has(n)) throw new Error(`generator: node ${n} is not in the reference tree`);
      return { id, shortName: agency.shortName ?? agency.name, domains: domainNames.map((d) => DOMAINS[d]), ownNodes };
    });
  }

  /** How many records were produced so far. */
  get produced(): number {
    return this.count;
  }

  /** The next n records. */
  take(n: number): ResourceInput[] {
    const out: ResourceInput[] = [];
    for (let i = 0; i < n; i++) out.push(this.next());
    return out;
  }

  next(): ResourceInput {
    const author = this.pick(this.authors);
    this.count++;
    // The main domain twice as often as the second.
    const domain = author.domains.length > 1 && this.rnd() < 1 / 3 ? author.domains[1] : author.domains[0];
    const subject = this.pick(domain.subjects);
    const aspect = this.pick(ASPECTS);
    const name = this.uniqueName(author.id, subject, aspect);

    const nodeCode = this.rnd() < 0.5 ? this.pick(domain.entries) : this.pick(author.ownNodes);
    const classification: ClassificationRef = parseClassificationCode(nodeCode)!;
    const baseDatabase = nodeCode.startsWith('1') ? BASE_BY_ITEM[nodeCode.slice(1, 3)] : undefined;

    const category = this.pick(FORMATS);
    const type = this.pick(FORMAT_CHOICES[category]);
    if (!(FORMAT_TYPES[category] as readonly string[]).includes(type)) throw new Error(`generator: ${type} is not a ${category} type`);
    const format: ResourceInput['format'] = { category, type, ...(type === '其他' ? { otherDescription: OTHER_FORMAT[category] } : {}) };

    const r = this.rnd();
    const shareType: ShareType = r < 0.35 ? '无条件共享' : r < 0.85 ? '有条件共享' : '不予共享';
    const sharing: ResourceInput['sharing'] = { type: shareType };
    if (shareType === '有条件共享') sharing.condition = this.pick(CONDITIONS);
    if (shareType === '不予共享') sharing.basis = this.pick(BASES_OF_REFUSAL);
    else {
      const mc = this.rnd() < 0.8 ? METHOD_CATEGORIES[0] : this.pick(METHOD_CATEGORIES.slice(1));
      sharing.method = mc === '共享平台方式' ? { category: mc, type: this.pick(allowedMethodTypes(category)) } : { category: mc };
    }
    const isOpen = shareType === '无条件共享' && this.rnd() < 0.4;
    const openness: ResourceInput['openness'] = isOpen ? { isOpen, condition: this.pick(OPEN_CONDITIONS) } : { isOpen };

    const itemised = ITEMISED_FORMATS.includes(category);
    const nItems = itemised ? 5 + this.int(26) : category === '服务接口' || category === '自描述格式' ? 3 + this.int(8) : 0;
    const dataItems = this.items(domain, nItems, shareType);
    const authoritativeSource = dataItems.length && this.rnd() < 0.2
      ? this.shuffle(dataItems.map((d) => d.name)).slice(0, 1 + this.int(Math.min(3, dataItems.length)))
      : [];

    const updateCycle = this.pick(CYCLES);
    const shown = dataItems.slice(0, 4).map((d) => d.name);
    const abstract = `${author.shortName}在${this.pick(domain.process)}过程中采集和形成的${subject}${aspect}信息`
      + (shown.length ? `,包括${shown.join('、')}等${dataItems.length}项内容` : `,以${category}形式保存`)
      + `,${this.pick(SCOPES)},${CYCLE_WORDS[updateCycle]},${this.pick(USES)}。`;

    const census = itemised && this.rnd() < 0.5 ? this.census(shareType, isOpen) : undefined;
    const seq = this.count;
    const contact = this.rnd() < 0.7
      ? { name: this.pick(SURNAMES) + this.pick(GIVEN), phone: `0571-8${String(1_000_000 + ((seq * 7919) % 9_000_000)).slice(0, 7)}`, email: `data${seq}@hangzhou.gov.cn` }
      : undefined;

    return {
      classification,
      name,
      provider: this.rnd() < 0.8 ? { agencyId: author.id, unit: this.pick(UNITS) } : { agencyId: author.id },
      abstract,
      format,
      dataItems,
      sharing,
      openness,
      updateCycle,
      relatedCodes: [],
      ...(census ? { census } : {}),
      ...(baseDatabase ? { baseDatabase } : {}),
      secrecy: '非涉密',
      authoritativeSource,
      ...(this.rnd() < 0.6 ? { sourceSystem: `${subject}${this.pick(['管理信息系统', '业务系统', '综合服务平台', '数据库系统'])}` } : {}),
      ...(contact ? { contact } : {}),
      keywords: [...new Set([subject, aspect, ...shown.slice(0, 1 + this.int(3))])],
    };
  }

  private uniqueName(agencyId: string, subject: string, aspect: string): string {
    let used = this.usedNames.get(agencyId);
    if (!used) this.usedNames.set(agencyId, (used = new Set()));
    for (let attempt = 0; ; attempt++) {
      const year = this.rnd() < 0.4 ? `(${2000 + this.int(25)}年度)` : '';
      let name = `${this.pick(QUALIFIERS)}${subject}${aspect}${this.pick(SUFFIXES)}${year}`;
      if (attempt >= 20) name += `(第${used.size + 1}册)`;
      const key = nameKey(name);
      if (!used.has(key)) {
        used.add(key);
        return name;
      }
    }
  }

  private items(domain: Domain, n: number, shareType: ShareType): DataItem[] {
    if (!n) return [];
    const pool = this.shuffle([...domain.items, ...COMMON_ITEMS]);
    const seen = new Set<string>();
    const out: DataItem[] = [];
    for (const [name, dataType, length] of pool) {
      if (out.length >= n) break;
      if (seen.has(name)) continue;
      seen.add(name);
      const item: DataItem = { name, dataType, ...(length !== undefined ? { length } : {}) };
      // Now and then an item is shared more strictly than its resource (never more loosely).
      if (shareType !== '不予共享' && this.rnd() < 0.1) item.shareType = shareType === '无条件共享' && this.rnd() < 0.5 ? '有条件共享' : '不予共享';
      out.push(item);
    }
    return out;
  }

  private census(shareType: ShareType, isOpen: boolean): NonNullable<ResourceInput['census']> {
    const totalStorageGB = Math.round(this.rnd() * 50_000) / 100;
    const structuredRecords = 1_000 + this.int(20_000_000);
    const shared = shareType === '不予共享' ? 0 : this.rnd();
    const open = isOpen ? shared * this.rnd() : 0;
    return {
      totalStorageGB, structuredRecords,
      sharedStorageGB: Math.floor(totalStorageGB * shared * 100) / 100, sharedRecords: Math.floor(structuredRecords * shared),
      openStorageGB: Math.floor(totalStorageGB * open * 100) / 100, openRecords: Math.floor(structuredRecords * open),
    };
  }

  private int(n: number): number {
    return Math.floor(this.rnd() * n);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  private shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }
}

/** N records from a fresh generator with the given seed. */
export function generateResources(n: number, seed = DEFAULT_SEED): ResourceInput[] {
  return new ResourceGenerator({ seed }).take(n);
}
