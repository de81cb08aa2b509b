/**
 * Sentences as citizens type them into the complaint chat, each with the intent and the
 * fields it must give. The first block is every line quoted from the trial conversations.
 */
import type { Agency } from '../../src/complaints/agency-match';
import type { GroundCode } from '../../src/complaints/model';
import type { Expect, Intent } from '../../src/complaints/understand';

/** A county's unit directory, as imported from the office's list. */
export const DIRECTORY: Agency[] = [
  { code: 'U001', name: '县人力资源和社会保障局' },
  { code: 'U002', name: '县公安局' },
  { code: 'U003', name: '县市场监管局' },
  { code: 'U004', name: '县自然资源局' },
  { code: 'U005', name: '县民政局' },
  { code: 'U006', name: '县医疗保障局' },
  { code: 'U007', name: '县卫生健康局' },
  { code: 'U008', name: '县住房和城乡建设局' },
  { code: 'U009', name: '县教育和体育局' },
  { code: 'U010', name: '县行政审批服务局' },
  { code: 'U011', name: '县司法局' },
  { code: 'U012', name: '县人民医院' },
  { code: 'U013', name: '县退役军人事务局' },
  { code: 'U014', name: '县交通运输局' },
  { code: 'U015', name: '城关镇人民政府' },
  { code: 'U016', name: '南麻街道办事处' },
  { code: 'U017', name: '县税务局' },
  { code: 'U018', name: '县残疾人联合会' },
  { code: 'U019', name: '县农业农村局' },
  { code: 'U020', name: '县财政局' },
];

export interface ExpectedFields {
  mobile?: string;
  landline?: string;
  idNumber?: string;
  name?: string;
  /** The best agency guess's name. */
  agency?: string;
  /** Its directory code (null: not in the directory). */
  agencyCode?: string | null;
  /** All guesses, best first. */
  agencies?: string[];
  agencyProblem?: 'url' | 'sentence';
  certificate?: string;
  /** Dates as written, in order. */
  dates?: string[];
  ground?: GroundCode;
  caseNumber?: string;
  number?: number;
  relationship?: string;
  /** Each must be among the search terms. */
  searchTerms?: string[];
  /** Must be the supplement text exactly. */
  supplement?: string;
  unclear?: 'empty' | 'punctuation' | 'emoji';
}

/** Fields that must be absent when an example does not name them: a wrong value here misleads the conversation. */
export const STRICT_FIELDS = ['mobile', 'landline', 'idNumber', 'name', 'caseNumber', 'number', 'relationship', 'ground', 'agencyProblem', 'unclear'] as const;

export interface Example {
  text: string;
  intent: Intent;
  expect?: Expect;
  fields?: ExpectedFields;
}

const ex = (text: string, intent: Intent, fields?: ExpectedFields, expect?: Expect): Example => ({ text, intent, fields, expect });

const LONG_FIRST =
  '您好，我叫王秀英，今年72岁，电话13853312345。11月20日我去县人社局办养老金资格认证，窗口非要我到村里开居住证明，跑了三趟还是不给办。我要投诉人社局。';

export const QUOTED: Example[] = [
  ex('我要投诉人社局', 'complaint', { agency: '县人力资源和社会保障局', agencyCode: 'U001' }),
  ex('我的投诉怎么样了', 'status'),
  ex('办低保还要不要开收入证明？', 'exemption_lookup', { certificate: '收入证明', searchTerms: ['低保', '最低生活保障', '收入证明', '收入'] }),
  ex('对的', 'yes', {}, 'confirm'),
  ex('我自己', 'self', {}, 'choice'),
  ex('继续吧', 'yes'),
  ex('嗯', 'yes', {}, 'confirm'),
  ex('帮我妈投的', 'proxy', { relationship: '母亲' }, 'choice'),
  ex('算了不投了', 'cancel', {}, 'choice'),
  ex('1', 'number', { number: 1 }, 'choice'),
  ex('上一步', 'back', {}, 'choice'),
  ex('补充一下，是11月28号去办的，窗口要的是无犯罪记录证明', 'supplement', {
    dates: ['11月28号'],
    certificate: '无犯罪记录证明',
    supplement: '是11月28号去办的，窗口要的是无犯罪记录证明',
  }, 'facts'),
  ex('不记得了，就是前几天投诉不动产那个', 'status', { agency: '县自然资源局', dates: ['前几天'] }, 'case_number'),
  ex('不记得了，就是前几天投诉不动产那个', 'status', { agency: '县自然资源局', dates: ['前几天'] }),
  ex('不满意，根本没给我办', 'dissatisfied', {}, 'after_result'),
  ex('不满意，根本没给我办', 'dissatisfied'),
  ex('我补充一下，是县医院的人让我开的', 'supplement', {
    agency: '县人民医院',
    agencyCode: 'U012',
    ground: 'still_requires_certificate',
    supplement: '是县医院的人让我开的',
  }, 'after_result'),
  ex('失业金', 'exemption_lookup', { searchTerms: ['失业金', '失业保险金'] }),
  ex('失业金', 'exemption_lookup', { searchTerms: ['失业金', '失业保险金'] }, 'search'),
  ex('电话：13853312345', 'unknown', { mobile: '13853312345' }, 'phone'),
  ex('电话：138 5331 2345', 'unknown', { mobile: '13853312345' }, 'phone'),
  ex('370323195001011234', 'unknown', { idNumber: '370323195001011234' }, 'phone'),
  ex('???', 'unclear', { unclear: 'punctuation' }),
  ex(LONG_FIRST, 'complaint', {
    name: '王秀英',
    mobile: '13853312345',
    agency: '县人力资源和社会保障局',
    agencyCode: 'U001',
    certificate: '居住证明',
    dates: ['11月20日'],
    ground: 'still_requires_certificate',
  }),
  ex('不动产登记中心', 'unknown', { agency: '县自然资源局', agencyCode: 'U004' }, 'agency'),
  ex('城关派出所', 'unknown', { agency: '县公安局', agencyCode: 'U002' }, 'agency'),
  ex('民政局', 'unknown', { agency: '县民政局', agencyCode: 'U005' }, 'agency'),
  ex('http://www.yiyuan.gov.cn/art/2026/11/20/art_1.html', 'unknown', { agencyProblem: 'url', agencies: [] }, 'agency'),
];

export const COMPLAINTS: Example[] = [
  ex('我要投诉', 'complaint'),
  ex('投诉', 'complaint'),
  ex('举报', 'complaint'),
  ex('我要举报县公安局', 'complaint', { agency: '县公安局', agencyCode: 'U002' }),
  ex('你好，我想投诉一下派出所', 'complaint', { agency: '县公安局' }),
  ex('我要投诉城关派出所，他们让我开无犯罪记录证明', 'complaint', { agency: '县公安局', certificate: '无犯罪记录证明', ground: 'still_requires_certificate' }),
  ex('投诉工商局', 'complaint', { agency: '县市场监管局', agencyCode: 'U003' }),
  ex('我要投诉民政局，办低保非要我开收入证明', 'complaint', { agency: '县民政局', certificate: '收入证明', ground: 'still_requires_certificate' }),
  ex('我想反映个问题，社保局让我开亲属关系证明', 'complaint', { agency: '县人力资源和社会保障局', certificate: '亲属关系证明', ground: 'still_requires_certificate' }),
  ex('不动产登记中心非要我开婚姻状况证明才给办过户', 'complaint', { agency: '县自然资源局', certificate: '婚姻状况证明', ground: 'still_requires_certificate' }),
  ex('投诉县医院，出生医学证明补办要我回村里开证明', 'complaint', { agency: '县人民医院', certificate: '出生医学证明', ground: 'still_requires_certificate' }),
  ex('医保局报销的时候要求提供贫困证明，清单上明明写了免提交', 'complaint', { agency: '县医疗保障局', certificate: '贫困证明', ground: 'ignores_exemption_list' }),
  ex('我在外地上班，派出所不给我开户籍证明，说外地用的不给开', 'complaint', { agency: '县公安局', certificate: '户籍证明', ground: 'refuses_certificate_outside_county' }),
  ex('单位协查核验等了半个月了还没回复，我要投诉', 'complaint', { ground: 'verification_late' }),
  ex('我要投诉住建局，办房屋登记还让我开无房证明', 'complaint', { agency: '县住房和城乡建设局', certificate: '无房证明', ground: 'still_requires_certificate' }),
  ex('举报教育局，孩子上学要开居住证明', 'complaint', { agency: '县教育和体育局', certificate: '居住证明' }),
  ex('我叫张建国，电话13905331234，我要投诉县市场监管局，办营业执照还要我开场地证明', 'complaint', {
    name: '张建国',
    mobile: '13905331234',
    agency: '县市场监管局',
    agencyCode: 'U003',
    certificate: '场地证明',
    ground: 'still_requires_certificate',
  }),
  ex('本人李桂兰，手机号139 0533 5678，11月3号在政务大厅办退休，窗口非要我开工龄证明', 'complaint', {
    name: '李桂兰',
    mobile: '13905335678',
    agency: '县行政审批服务局',
    certificate: '工龄证明',
    dates: ['11月3号'],
    ground: 'still_requires_certificate',
  }),
  ex('我是刘强，联系电话0533-3221234，卫健局办准生证让我开未婚证明，我要投诉', 'complaint', {
    name: '刘强',
    landline: '0533-3221234',
    agency: '县卫生健康局',
    certificate: '未婚证明',
    ground: 'still_requires_certificate',
  }),
  ex('投诉一下交通局，他们为难我', 'complaint', { agency: '县交通运输局' }),
  ex('我要投诉南麻街道办事处', 'complaint', { agency: '南麻街道办事处', agencyCode: 'U016' }),
  ex('我要投诉城关镇政府，开个证明跑了五趟', 'complaint', { agency: '城关镇人民政府', certificate: undefined }),
  ex('我要投诉县财政局', 'complaint', { agency: '县财政局', agencyCode: 'U020' }),
  ex('税务局要我提供无欠税证明，不然不给办', 'complaint', { agency: '县税务局', certificate: '无欠税证明', ground: 'still_requires_certificate' }),
  ex('残联办残疾证还要我开家庭困难证明，这不是刁难人吗', 'complaint', { agency: '县残疾人联合会', certificate: '家庭困难证明', ground: 'still_requires_certificate' }),
  ex('我想投诉退役军人事务局，优抚对象认定要村里开证明', 'complaint', { agency: '县退役军人事务局' }),
  ex('农业局办补贴叫我开种植证明，我要举报', 'complaint', { agency: '县农业农村局', certificate: '种植证明', ground: 'still_requires_certificate' }),
  ex('我要投诉司法所，公证要我开亲属关系证明', 'complaint', { agency: '县司法局', certificate: '亲属关系证明', ground: 'still_requires_certificate' }),
  ex('我举报房管局变相要证明，让我找社区盖章', 'complaint', { agency: '县住房和城乡建设局', ground: 'still_requires_certificate' }),
  ex('人社局不给办，我要投诉他们', 'complaint', { agency: '县人力资源和社会保障局' }),
  ex('我想投诉医保', 'complaint', { agency: '县医疗保障局' }),
  ex('你好，投诉国土局', 'complaint', { agency: '县自然资源局' }),
  ex('我来投诉县公安局户籍科', 'complaint', { agency: '县公安局' }),
  ex('投诉举报', 'complaint'),
  ex('我想举报', 'complaint'),
  ex('我要反映问题', 'complaint'),
  ex('在外省工作要开无犯罪记录证明，派出所说外地用不给开，拒绝出具', 'complaint', { agency: '县公安局', certificate: '无犯罪记录证明', ground: 'refuses_certificate_outside_county' }),
  ex('民政局不给我开证明，说异地用的他们不管，我要投诉', 'complaint', { agency: '县民政局', ground: 'refuses_certificate_outside_county' }),
  ex('免提交清单里有这个证明，窗口还是让我开，我要投诉', 'complaint', { ground: 'ignores_exemption_list' }),
  ex('我的事情是这样的：上个月在县人民医院办出生医学证明，窗口让我去派出所开户籍证明，跑了三趟还是没办成', 'complaint', {
    agencies: ['县人民医院', '县公安局'],
    certificate: '户籍证明',
    dates: ['上个月'],
    ground: 'still_requires_certificate',
  }),
  ex('12月1日在行政审批局，工作人员让我回去开证明', 'complaint', { agency: '县行政审批服务局', dates: ['12月1日'], ground: 'still_requires_certificate' }),
  ex('审批局办营业执照，非得让我开房屋产权证明，说不然不给办', 'complaint', { agency: '县行政审批服务局', certificate: '房屋产权证明', ground: 'still_requires_certificate' }),
  ex('我是个体户赵大海，我要投诉工商', 'complaint', { name: '赵大海', agency: '县市场监管局' }),
  ex('姓名：孙丽 电话 15165331234 投诉卫生局', 'complaint', { name: '孙丽', mobile: '15165331234', agency: '县卫生健康局' }),
];

export const STATUS: Example[] = [
  ex('查询进度', 'status'),
  ex('查进度', 'status'),
  ex('进度', 'status'),
  ex('我的投诉', 'status'),
  ex('我的投诉有结果了吗', 'status'),
  ex('我上次投诉的怎么样了', 'status'),
  ex('投诉的那个事情怎么样了？', 'status'),
  ex('查询进度 TS20261126-0003', 'status', { caseNumber: 'TS20261126-0003' }),
  ex('TS20261126-0003', 'status', { caseNumber: 'TS20261126-0003' }),
  ex('ts20261126 0003', 'status', { caseNumber: 'TS20261126-0003' }),
  ex('编号是TS20261202-0015，帮我查查', 'status', { caseNumber: 'TS20261202-0015' }),
  ex('我投诉人社局的那个有人处理了吗', 'status', { agency: '县人力资源和社会保障局' }),
  ex('前两天投诉派出所的那个到哪一步了', 'status', { agency: '县公安局', dates: ['前两天'] }),
  ex('编号忘了，能查吗', 'status'),
  ex('我之前的投诉受理了吗', 'status'),
  ex('我的投诉到哪了', 'status'),
  ex('有没有回复啊', 'status'),
  ex('我忘了编号，就是上周投诉医保局的', 'status', { agency: '县医疗保障局', dates: ['上周'] }),
  ex('不知道编号', 'status', {}, 'case_number'),
  ex('不记得了', 'status', {}, 'case_number'),
  ex('就是投诉民政局那个', 'status', { agency: '县民政局' }, 'case_number'),
  ex('好的', 'status', {}, 'case_number'),
  ex('查一下我的投诉', 'status'),
  ex('我投诉的事情办得怎么样了', 'status'),
  ex('投诉怎么样了', 'status'),
  ex('你好，请问我的投诉进度', 'status'),
];

export const LOOKUPS: Example[] = [
  ex('办低保要不要开收入证明', 'exemption_lookup', { certificate: '收入证明', searchTerms: ['低保', '最低生活保障', '收入证明'] }),
  ex('领失业金需要开证明吗？', 'exemption_lookup', { searchTerms: ['失业保险金'] }),
  ex('户口迁移还需要开证明吗', 'exemption_lookup', { searchTerms: ['户口迁移', '户籍迁移'] }),
  ex('无犯罪记录证明还要开吗', 'exemption_lookup', { certificate: '无犯罪记录证明', searchTerms: ['无犯罪记录证明'] }),
  ex('出生医学证明需不需要', 'exemption_lookup', { certificate: '出生医学证明', searchTerms: ['出生医学证明'] }),
  ex('请问办医保报销还用开证明吗', 'exemption_lookup', { searchTerms: ['医疗保险'] }),
  ex('孩子上学是否需要居住证明', 'exemption_lookup', { certificate: '居住证明', searchTerms: ['居住证明', '居住'] }),
  ex('办养老金资格认证要不要提供亲属关系证明', 'exemption_lookup', { certificate: '亲属关系证明', searchTerms: ['亲属关系证明'] }),
  ex('低保', 'exemption_lookup', { searchTerms: ['低保', '最低生活保障'] }),
  ex('无犯罪', 'exemption_lookup', { searchTerms: ['无犯罪', '无犯罪记录'] }),
  ex('户口', 'exemption_lookup', { searchTerms: ['户口', '户籍'] }, 'search'),
  ex('收入证明', 'exemption_lookup', { certificate: '收入证明', searchTerms: ['收入证明', '收入'] }),
  ex('单身证明', 'exemption_lookup', { certificate: '单身证明', searchTerms: ['婚姻状况'] }),
  ex('房产证', 'exemption_lookup', { certificate: '房产证', searchTerms: ['不动产权证书'] }),
  ex('公积金提取', 'exemption_lookup', { searchTerms: ['住房公积金提取'] }, 'search'),
  ex('养老保险', 'exemption_lookup', { searchTerms: ['养老保险'] }, 'search'),
  ex('免提交清单', 'exemption_lookup'),
  ex('查证明', 'exemption_lookup'),
  ex('是否需要证明', 'exemption_lookup'),
  ex('办结婚登记用不用开单身证明', 'exemption_lookup', { certificate: '单身证明', searchTerms: ['结婚登记', '单身证明'] }),
  ex('开残疾证要不要医院证明？', 'exemption_lookup', { certificate: '医院证明' }),
  ex('失业补助金还要交什么证明吗', 'exemption_lookup', { searchTerms: ['失业保险金'] }),
  ex('特困供养需要村委会证明吗', 'exemption_lookup', { certificate: '村委会证明' }),
  ex('退休金', 'exemption_lookup', { searchTerms: ['养老保险'] }, 'search'),
  ex('死亡证明', 'exemption_lookup', { certificate: '死亡证明' }),
  ex('健康证', 'exemption_lookup', { certificate: '健康证' }, 'search'),
  ex('新生儿落户', 'exemption_lookup', { searchTerms: ['新生儿户籍'] }, 'search'),
  ex('我想问一下办准生证要什么证明吗', 'exemption_lookup', { certificate: '准生证', searchTerms: ['生育服务证'] }),
];

export const COMMANDS: Example[] = [
  ex('人工服务', 'human'),
  ex('找人工', 'human'),
  ex('转人工', 'human'),
  ex('人工', 'human'),
  ex('我要人工', 'human'),
  ex('我要找真人说话', 'human'),
  ex('能不能转人工客服', 'human'),
  ex('有没有工作人员', 'human'),
  ex('取消', 'cancel'),
  ex('不投了', 'cancel'),
  ex('算了', 'cancel'),
  ex('算了吧', 'cancel', {}, 'facts'),
  ex('不想投诉了', 'cancel'),
  ex('我不投诉了', 'cancel', {}, 'phone'),
  ex('取消投诉', 'cancel', {}, 'confirm'),
  ex('退出', 'cancel'),
  ex('算了算了不投了', 'cancel'),
  ex('上一步', 'back', {}, 'agency'),
  ex('返回上一步', 'back'),
  ex('返回', 'back', {}, 'facts'),
  ex('退回上一步', 'back', {}, 'name'),
  ex('回到上一步改一下', 'back'),
  ex('我要回上一步', 'back'),
];

export const ANSWERS: Example[] = [
  ex('好', 'yes'),
  ex('好的', 'yes'),
  ex('是的', 'yes', {}, 'confirm'),
  ex('对', 'yes', {}, 'confirm'),
  ex('对对对', 'yes'),
  ex('嗯嗯', 'yes'),
  ex('可以', 'yes'),
  ex('可以的', 'yes'),
  ex('没问题', 'yes', {}, 'confirm'),
  ex('行', 'yes'),
  ex('确认', 'yes', {}, 'confirm'),
  ex('OK', 'yes'),
  ex('好的呀', 'yes'),
  ex('继续', 'yes'),
  ex('对，就是这个', 'yes', {}, 'choice'),
  ex('好的，谢谢', 'yes'),
  ex('不是', 'no', {}, 'choice'),
  ex('不对', 'no', {}, 'confirm'),
  ex('不用', 'no'),
  ex('不用了', 'no'),
  ex('不需要', 'no'),
  ex('都不是', 'no', {}, 'choice'),
  ex('不是，是县医院', 'no', { agency: '县人民医院', agencyCode: 'U012' }, 'choice'),
  ex('不是的，我说的是社保', 'no', { agency: '县人力资源和社会保障局' }, 'choice'),
  ex('不对，是民政局', 'no', { agency: '县民政局' }, 'agency'),
  ex('２', 'number', { number: 2 }, 'choice'),
  ex('一', 'number', { number: 1 }, 'choice'),
  ex('第一个', 'number', { number: 1 }),
  ex('第二个', 'number', { number: 2 }, 'choice'),
  ex('第3个', 'number', { number: 3 }, 'choice'),
  ex('选2', 'number', { number: 2 }, 'choice'),
  ex('3', 'number', { number: 3 }),
  ex('5', 'number', { number: 5 }, 'choice'),
  ex('1.', 'number', { number: 1 }, 'choice'),
  ex('三', 'number', { number: 3 }, 'choice'),
  ex('第三项', 'number', { number: 3 }, 'choice'),
  ex('十', 'number', { number: 10 }, 'choice'),
  ex('我自己', 'self'),
  ex('本人', 'self', {}, 'choice'),
  ex('本人投诉', 'self', {}, 'choice'),
  ex('是我自己', 'self', {}, 'choice'),
  ex('自己', 'self', {}, 'choice'),
  ex('就我自己的事', 'self', {}, 'choice'),
  ex('帮我爸投诉', 'proxy', { relationship: '父亲' }, 'choice'),
  ex('替我父亲投的', 'proxy', { relationship: '父亲' }, 'choice'),
  ex('代他人投诉', 'proxy', { relationship: '他人' }, 'choice'),
  ex('帮别人投诉', 'proxy', { relationship: '他人' }, 'choice'),
  ex('不是本人，是我奶奶', 'proxy', { relationship: '祖母' }, 'choice'),
  ex('我帮我老婆问的', 'proxy', { relationship: '妻子' }, 'choice'),
  ex('给我爷爷办的', 'proxy', { relationship: '祖父' }, 'choice'),
  ex('是我妈的事', 'proxy', { relationship: '母亲' }, 'choice'),
  ex('帮老人投诉', 'proxy', { relationship: '亲属' }, 'choice'),
  ex('代我女儿投诉', 'proxy', { relationship: '女儿' }, 'choice'),
];

export const AFTER_RESULT: Example[] = [
  ex('不满意', 'dissatisfied', {}, 'after_result'),
  ex('不满意，还是让我开证明', 'dissatisfied', { ground: 'still_requires_certificate' }, 'after_result'),
  ex('这个结果我不认可', 'dissatisfied', {}, 'after_result'),
  ex('问题还没解决', 'dissatisfied', {}, 'after_result'),
  ex('根本没给我办', 'dissatisfied', {}, 'after_result'),
  ex('说是办结了，可是没人联系我', 'dissatisfied', {}, 'after_result'),
  ex('就是敷衍我', 'dissatisfied'),
  ex('满意', 'yes', {}, 'after_result'),
  ex('好的谢谢', 'yes', {}, 'after_result'),
  ex('补充一下', 'supplement', {}, 'after_result'),
  ex('我再补充一点：当时接待我的是2号窗口', 'supplement', { supplement: '当时接待我的是2号窗口' }, 'after_result'),
  ex('补充：12月2日又去了一次，还是不行', 'supplement', { dates: ['12月2日'], supplement: '12月2日又去了一次，还是不行' }, 'facts'),
  ex('还有一点，他们要的是村委会开的证明', 'supplement', { supplement: '他们要的是村委会开的证明' }, 'facts'),
  ex('忘了说，我电话是13953312345', 'supplement', { mobile: '13953312345', supplement: '我电话是13953312345' }),
  ex('补充说明：窗口工作人员姓李', 'supplement', { supplement: '窗口工作人员姓李' }, 'after_result'),
];

export const FIELD_ANSWERS: Example[] = [
  ex('13853312345', 'unknown', { mobile: '13853312345' }, 'phone'),
  ex('138-5331-2345', 'unknown', { mobile: '13853312345' }, 'phone'),
  ex('我的手机是 139 5331 2345', 'unknown', { mobile: '13953312345' }, 'phone'),
  ex('电话:15265331234', 'unknown', { mobile: '15265331234' }, 'phone'),
  ex('手机号码：１３８５３３１２３４５', 'unknown', { mobile: '13853312345' }, 'phone'),
  ex('+86 186 6533 1234', 'unknown', { mobile: '18665331234' }, 'phone'),
  ex('0533-3221234', 'unknown', { landline: '0533-3221234' }, 'phone'),
  ex('家里电话05333221234', 'unknown', { landline: '0533-3221234' }, 'phone'),
  ex('座机（0533）3221234', 'unknown', { landline: '0533-3221234' }, 'phone'),
  ex('370323195001011234', 'unknown', { idNumber: '370323195001011234' }, 'phone'),
  ex('身份证号37032319501201123X', 'unknown', { idNumber: '37032319501201123X' }, 'phone'),
  ex('身份证370323198807154321 手机13853312345', 'unknown', { idNumber: '370323198807154321', mobile: '13853312345' }, 'phone'),
  ex('1', 'unknown', {}, 'phone'),
  ex('我叫王秀英', 'unknown', { name: '王秀英' }, 'name'),
  ex('王秀英', 'unknown', {}, 'name'),
  ex('本人张三', 'unknown', { name: '张三' }, 'name'),
  ex('我是欧阳明，电话13853312345', 'unknown', { name: '欧阳明', mobile: '13853312345' }, 'name'),
  ex('我叫李建国今年68了', 'unknown', { name: '李建国' }, 'name'),
  ex('我是来投诉的', 'complaint'),
  ex('本人在县医院上班', 'unknown', { agency: '县人民医院' }, 'facts'),
  ex('我是城关镇的', 'unknown', {}, 'facts'),
  ex('县人力资源和社会保障局', 'unknown', { agency: '县人力资源和社会保障局', agencyCode: 'U001' }, 'agency'),
  ex('人社局', 'unknown', { agency: '县人力资源和社会保障局', agencyCode: 'U001' }, 'agency'),
  ex('公安局', 'unknown', { agency: '县公安局', agencyCode: 'U002' }, 'agency'),
  ex('派出所', 'unknown', { agency: '县公安局', agencyCode: 'U002' }, 'agency'),
  ex('沂源县公安局城关派出所', 'unknown', { agency: '县公安局', agencyCode: 'U002' }, 'agency'),
  ex('工商局', 'unknown', { agency: '县市场监管局', agencyCode: 'U003' }, 'agency'),
  ex('社保中心', 'unknown', { agency: '县人力资源和社会保障局' }, 'agency'),
  ex('不动产', 'unknown', { agency: '县自然资源局' }, 'agency'),
  ex('医保局', 'unknown', { agency: '县医疗保障局' }, 'agency'),
  ex('县医院', 'unknown', { agency: '县人民医院' }, 'agency'),
  ex('政务服务中心', 'unknown', { agency: '县行政审批服务局' }, 'agency'),
  ex('残联', 'unknown', { agency: '县残疾人联合会' }, 'agency'),
  ex('税务局', 'unknown', { agency: '县税务局' }, 'agency'),
  ex('城关镇政府', 'unknown', { agency: '城关镇人民政府' }, 'agency'),
  ex('县气象局', 'unknown', { agency: '县气象局', agencyCode: null }, 'agency'),
  ex('www.yiyuan.gov.cn', 'unknown', { agencyProblem: 'url', agencies: [] }, 'agency'),
  ex('https://mp.weixin.qq.com/s/abc123', 'unknown', { agencyProblem: 'url', agencies: [] }, 'agency'),
  ex('就是那个办事的地方，他们说要我回村里开证明，我跑了好几趟', 'unknown', { agencyProblem: 'sentence', ground: 'still_requires_certificate' }, 'agency'),
  ex('我要投诉的是城关派出所，他们不给办', 'unknown', { agencyProblem: 'sentence', agency: '县公安局' }, 'agency'),
  ex('派出所和民政局都让我开证明', 'unknown', { agencyProblem: 'sentence', agencies: ['县公安局', '县民政局'], ground: 'still_requires_certificate' }, 'agency'),
  ex('人社局，也可能是社保中心，还有医保', 'unknown', { agencyProblem: 'sentence', agencies: ['县人力资源和社会保障局', '县医疗保障局'] }, 'agency'),
  ex('11月28号去的，窗口要我开居住证明', 'unknown', { dates: ['11月28号'], certificate: '居住证明', ground: 'still_requires_certificate' }, 'facts'),
  ex('2026年11月3日在政务大厅，工作人员说没有村里的证明不能办', 'unknown', { dates: ['2026年11月3日'], agency: '县行政审批服务局' }, 'facts'),
  ex('希望以后不要再让老百姓开这种证明', 'unknown', { ground: 'still_requires_certificate' }, 'request'),
  ex('尽快给我办了就行', 'unknown', {}, 'request'),
  ex('十一月二十号去的', 'unknown', { dates: ['十一月二十号'] }, 'facts'),
];

export const OTHER: Example[] = [
  ex('你好', 'greeting'),
  ex('您好', 'greeting'),
  ex('在吗', 'greeting'),
  ex('有人吗？', 'greeting'),
  ex('hello', 'greeting'),
  ex('谢谢', 'greeting'),
  ex('早上好', 'greeting'),
  ex('你好，在吗', 'greeting'),
  ex('？？？', 'unclear', { unclear: 'punctuation' }),
  ex('。。。', 'unclear', { unclear: 'punctuation' }),
  ex('...', 'unclear', { unclear: 'punctuation' }, 'facts'),
  ex('!!', 'unclear', { unclear: 'punctuation' }, 'phone'),
  ex('😂😂', 'unclear', { unclear: 'emoji' }),
  ex('[微笑]', 'unclear', { unclear: 'emoji' }),
  ex('', 'unclear', { unclear: 'empty' }),
  ex('   ', 'unclear', { unclear: 'empty' }),
  ex('今天天气不错', 'unknown'),
  ex('asdfgh', 'unknown'),
  ex('哈哈', 'unknown'),
  ex('12345678', 'unknown'),
  ex('我不知道怎么弄', 'unknown'),
  ex('1000', 'unknown'),
];

export const EXAMPLES: Example[] = [...QUOTED, ...COMPLAINTS, ...STATUS, ...LOOKUPS, ...COMMANDS, ...ANSWERS, ...AFTER_RESULT, ...FIELD_ANSWERS, ...OTHER];
