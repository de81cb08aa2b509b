import { expect } from 'chai';
import {
  type ChoiceOption,
  DEFAULT_AGENCY_ALIASES,
  UNDERSTAND_TEXT,
  agencyNameProblem,
  expandSearchTerms,
  findAgencies,
  matchChoice,
  searchGroups,
  splitLongText,
  understand,
} from '../../src/complaints/understand';
import { DIRECTORY } from './understand.examples';

const PROXY: ChoiceOption[] = [
  { id: 'proxy_self', label: '本人', words: ['我自己', '自己', '本人投诉'] },
  { id: 'proxy_other', label: '代他人投诉', words: ['代别人', '帮别人'] },
];
const CONFIRM: ChoiceOption[] = [
  { id: 'confirm_submit', label: '确认提交', role: 'yes' },
  { id: 'confirm_edit', label: '修改' },
  { id: 'confirm_cancel', label: '取消' },
];
const GROUNDS: ChoiceOption[] = ['仍要求提供证明（直接或变相）', '未按清单执行免提交', '未按时限核验', '拒绝出具县外所需证明', '其他'].map((label, i) => ({
  id: `ground_${i + 1}`,
  label,
}));

describe('complaints/understand: matchChoice', () => {
  const picks: Array<[string, ChoiceOption[], string, string]> = [
    ['1', CONFIRM, 'confirm_submit', 'number'],
    ['１', CONFIRM, 'confirm_submit', 'number'],
    ['一', CONFIRM, 'confirm_submit', 'number'],
    ['第二个', CONFIRM, 'confirm_edit', 'number'],
    ['3', CONFIRM, 'confirm_cancel', 'number'],
    ['确认提交', CONFIRM, 'confirm_submit', 'label'],
    ['对的', CONFIRM, 'confirm_submit', 'yes'],
    ['嗯', CONFIRM, 'confirm_submit', 'yes'],
    ['可以', CONFIRM, 'confirm_submit', 'yes'],
    ['好', CONFIRM, 'confirm_submit', 'yes'],
    ['继续吧', CONFIRM, 'confirm_submit', 'yes'],
    ['我要修改', CONFIRM, 'confirm_edit', 'partial'],
    ['我自己', PROXY, 'proxy_self', 'word'],
    ['本人', PROXY, 'proxy_self', 'label'],
    ['代他人', PROXY, 'proxy_other', 'partial'],
    ['帮别人的', PROXY, 'proxy_other', 'word'],
    ['2', PROXY, 'proxy_other', 'number'],
    ['县外', GROUNDS, 'ground_4', 'partial'],
    ['未按时限核验', GROUNDS, 'ground_3', 'label'],
    ['清单', GROUNDS, 'ground_2', 'partial'],
    ['第五个', GROUNDS, 'ground_5', 'number'],
  ];
  for (const [text, options, id, via] of picks) {
    it(`${JSON.stringify(text)} picks ${id} by ${via}`, () => {
      expect(matchChoice(text, options)).to.deep.include({ kind: 'picked', id, via });
    });
  }

  it('passes navigation words back as commands, at every choice', () => {
    expect(matchChoice('上一步', PROXY)).to.deep.equal({ kind: 'command', command: 'back' });
    expect(matchChoice('算了不投了', CONFIRM)).to.deep.equal({ kind: 'command', command: 'cancel' });
    expect(matchChoice('转人工', GROUNDS)).to.deep.equal({ kind: 'command', command: 'human' });
    expect(matchChoice('重来', GROUNDS)).to.deep.equal({ kind: 'command', command: 'restart' });
  });

  it('returns a bare yes or no when no option stands for it', () => {
    expect(matchChoice('嗯', PROXY)).to.deep.equal({ kind: 'yes' });
    expect(matchChoice('不是', PROXY)).to.deep.equal({ kind: 'no' });
  });

  it('picks the "none of these" option on a no word', () => {
    const pick: ChoiceOption[] = [
      { id: 'agency_pick_1', label: '县公安局' },
      { id: 'agency_pick_2', label: '县司法局' },
      { id: 'agency_none', label: '都不是，按我输入的名称记录', role: 'no' },
    ];
    expect(matchChoice('不是', pick)).to.deep.include({ kind: 'picked', id: 'agency_none', via: 'no' });
    expect(matchChoice('公安局', pick)).to.deep.include({ kind: 'picked', id: 'agency_pick_1' });
  });

  it('repeats the choices, numbered, instead of refusing', () => {
    const r = matchChoice('今天天气不错', PROXY);
    expect(r.kind).to.equal('repeat');
    if (r.kind !== 'repeat') return;
    expect(r.among).to.deep.equal([0, 1]);
    expect(r.reply).to.contain('1. 本人').and.contain('2. 代他人投诉');
    expect(r.reply).not.to.contain('没有对应的选项');
  });

  it('repeats the choices for a number out of range', () => {
    expect(matchChoice('7', CONFIRM)).to.deep.include({ kind: 'repeat', among: [0, 1, 2] });
  });

  it('asks which one when the answer fits several', () => {
    const r = matchChoice('证明', GROUNDS);
    expect(r).to.deep.include({ kind: 'repeat', among: [0, 3] });
    if (r.kind === 'repeat') expect(r.reply).to.contain('您是指哪一个').and.contain('1. 仍要求提供证明').and.contain('4. 拒绝出具县外所需证明');
  });
});

describe('complaints/understand: long stories', () => {
  it('keeps the first 1000 characters and hands back the rest', () => {
    const story = '窗口让我开证明'.repeat(300); // 2,100 characters, no sentence end
    const r = splitLongText(story);
    expect(r.length).to.equal(2100);
    expect(Array.from(r.first)).to.have.length(1000);
    expect(r.first + r.rest).to.equal(story);
  });

  it('cuts at a sentence end just before the limit, and never inside a character', () => {
    const story = `${'办'.repeat(960)}。${'😂'.repeat(100)}`;
    const r = splitLongText(story);
    expect(r.first).to.equal(`${'办'.repeat(960)}。`);
    expect(r.rest).to.equal('😂'.repeat(100));
    const noStop = splitLongText('😂'.repeat(1001));
    expect(noStop.first).to.equal('😂'.repeat(1000));
    expect(noStop.rest).to.equal('😂');
  });

  it('leaves a story that fits alone', () => {
    expect(splitLongText('  11月20日窗口让我开居住证明。 ')).to.deep.equal({ first: '11月20日窗口让我开居住证明。', rest: null, length: 16 });
  });

  it('still reads name, phone and agency out of a 2,000-character first message', () => {
    const story = `我叫王秀英，电话13853312345，我要投诉县人社局。${'他们让我开居住证明，我跑了很多趟。'.repeat(120)}`;
    const u = understand(story, { directory: DIRECTORY });
    expect(u.intent).to.equal('complaint');
    expect(u.fields).to.deep.include({ name: '王秀英', mobile: '13853312345', certificate: '居住证明', ground: 'still_requires_certificate' });
    expect(u.fields.agencies?.[0]).to.deep.include({ code: 'U001' });
  });
});

describe('complaints/understand: agencies', () => {
  it('resolves aliases through the directory, and keeps the alias target when the directory lacks it', () => {
    expect(findAgencies('城关派出所', { directory: DIRECTORY })[0]).to.deep.include({ name: '县公安局', code: 'U002', via: 'alias' });
    expect(findAgencies('城关派出所')[0]).to.deep.include({ name: '县公安局', code: null, via: 'alias' });
    expect(findAgencies('县气象局', { directory: DIRECTORY })[0]).to.deep.include({ name: '县气象局', code: null, via: 'text' });
  });

  it('takes the office aliases over the defaults', () => {
    expect(DEFAULT_AGENCY_ALIASES['派出所']).to.equal('县公安局');
    const aliases = { 城关所: '县公安局', 派出所: '县司法局' };
    expect(findAgencies('城关所', { directory: DIRECTORY, aliases })[0]).to.deep.include({ code: 'U002' });
    expect(findAgencies('城关派出所', { directory: DIRECTORY, aliases })[0]).to.deep.include({ code: 'U011' });
    const u = understand('我要投诉城关所', { directory: DIRECTORY, aliases: { 城关所: '县公安局' } });
    expect(u.fields.agencies?.[0]).to.deep.include({ code: 'U002' });
  });

  it('offers at most three candidates', () => {
    const text = '派出所、民政局、医保局、税务局、县医院都让我开过证明';
    expect(findAgencies(text, { directory: DIRECTORY })).to.have.length(3);
    expect(findAgencies(text, { directory: DIRECTORY, limit: 5 })).to.have.length(5);
  });

  it('refuses a URL and a whole sentence as a name, but not a name', () => {
    expect(agencyNameProblem('http://www.yiyuan.gov.cn/')).to.equal('url');
    expect(agencyNameProblem('请看 www.zibo.gov.cn 上的公告')).to.equal('url');
    expect(agencyNameProblem('就是那个办事的地方，他们说要我回村里开证明')).to.equal('sentence');
    expect(agencyNameProblem('城关派出所')).to.equal(null);
    expect(agencyNameProblem('县人力资源和社会保障局')).to.equal(null);
    expect(agencyNameProblem('沂源县公安局城关派出所')).to.equal(null);
  });
});

describe('complaints/understand: exemption search terms', () => {
  it('strips the question and widens the terms with synonyms', () => {
    expect(searchGroups('办低保还要不要开收入证明？')).to.deep.equal([
      ['低保', '最低生活保障'],
      ['收入证明', '收入'],
    ]);
    expect(expandSearchTerms('失业金')).to.deep.equal(['失业金', '失业保险金']);
    expect(expandSearchTerms('请问无犯罪证明需不需要开')).to.include.members(['无犯罪证明', '无犯罪记录证明']);
  });

  it('takes the office synonyms over the defaults', () => {
    expect(expandSearchTerms('低收入认定')).not.to.include('最低生活保障认定');
    expect(expandSearchTerms('低收入认定', { 低收入: ['最低生活保障'] })).to.include('最低生活保障认定');
    expect(expandSearchTerms('失业金', { 失业金: ['失业补助金'] })).to.include.members(['失业保险金', '失业补助金']);
  });

  it('returns nothing for a question with no subject', () => {
    expect(expandSearchTerms('还要不要？')).to.deep.equal([]);
    expect(expandSearchTerms('您好，请问要开什么证明')).to.deep.equal([]);
  });
});

describe('complaints/understand: phone step help and purity', () => {
  it('tells an ID number apart from a phone and says what to do', () => {
    const u = understand('370323195001011234', { expect: 'phone' });
    expect(u.fields).to.deep.equal({ idNumber: '370323195001011234' });
    expect(UNDERSTAND_TEXT.idNotPhone).to.contain('身份证号').and.contain('手机号');
  });

  it('does not call punctuation an emoji', () => {
    expect(understand('???').fields.unclear).to.equal('punctuation');
    expect(UNDERSTAND_TEXT.unclear).not.to.contain('表情');
  });

  it('gives the same answer twice and leaves its inputs alone', () => {
    const directory = DIRECTORY.map((a) => ({ ...a }));
    const before = JSON.stringify(directory);
    const a = understand('我叫王秀英，电话13853312345，我要投诉城关派出所', { directory });
    const b = understand('我叫王秀英，电话13853312345，我要投诉城关派出所', { directory });
    expect(a).to.deep.equal(b);
    expect(JSON.stringify(directory)).to.equal(before);
  });
});
