import { expect } from 'chai';
import { DataSource } from 'typeorm';
import { OutboxMessage } from '../../entities';
import { greyCard, officeGroup, sendCard, sendText, sendToOfficeGroup, updateCard } from '../../src/wecom/messaging';
import { clearTables, testDataSource } from '../helpers/db';

const NOW = new Date('2026-11-26T01:00:00Z');

describe('wecom / messaging', () => {
  let ds: DataSource;
  before(async () => {
    ds = await testDataSource();
  });
  beforeEach(async () => clearTables(ds));

  async function rows(): Promise<Array<{ channel: string; payload: any; refType: string | null; refId: string | null }>> {
    const all = await ds.getRepository(OutboxMessage).find({ order: { id: 'ASC' } });
    return all.map((r) => ({ channel: r.channel, payload: JSON.parse(r.payload), refType: r.refType, refId: r.refId }));
  }

  it('text and card: one message to everyone named once; nobody named queues nothing', async () => {
    await ds.transaction(async (m) => {
      await sendText(m, ['a', 'b', 'a', ''], '你好', NOW, { refType: 't', refId: '1' });
      await sendCard(m, 'c', { card_type: 'text_notice' }, NOW, { refType: 'c', refId: '2' });
      expect(await sendText(m, [], 'nobody', NOW)).to.equal(null);
      expect(await sendCard(m, [''], {}, NOW)).to.equal(null);
    });
    expect(await rows()).to.deep.equal([
      { channel: 'message', payload: { touser: 'a|b', msgtype: 'text', text: { content: '你好' } }, refType: 't', refId: '1' },
      { channel: 'message', payload: { touser: 'c', msgtype: 'template_card', template_card: { card_type: 'text_notice' } }, refType: 'c', refId: '2' },
    ]);
  });

  it('a card update replaces the card or greys its buttons; grey-out needs people and a code', async () => {
    await ds.transaction(async (m) => {
      await updateCard(m, ['a'], 'RC1', { card: { card_type: 'button_interaction' } }, NOW, { refType: 'u', refId: 'task1' });
      await greyCard(m, ['a', 'b'], 'RC2', '已处理', NOW);
      expect(await greyCard(m, [], 'RC3', 'x', NOW)).to.equal(null);
      expect(await greyCard(m, ['a'], '', 'x', NOW)).to.equal(null);
    });
    expect((await rows()).map((r) => [r.channel, r.payload])).to.deep.equal([
      ['update_card', { userids: ['a'], response_code: 'RC1', template_card: { card_type: 'button_interaction' } }],
      ['update_card', { userids: ['a', 'b'], response_code: 'RC2', button: { replace_name: '已处理' } }],
    ]);
  });

  it('the office group: the app chat first, else the robot by name, else nothing', async () => {
    const chat = { officeChatId: 'chat1', officeRobotWebhook: 'https://robot.example.invalid/send?key=k' };
    const robot = { officeChatId: null, officeRobotWebhook: 'https://robot.example.invalid/send?key=k' };
    const none = { officeChatId: null, officeRobotWebhook: null };
    expect([officeGroup(chat), officeGroup(robot), officeGroup(none)]).to.deep.equal(['appchat', 'robot', null]);
    await ds.transaction(async (m) => {
      expect((await sendToOfficeGroup(m, chat, { msgtype: 'markdown', content: '**周报**' }, NOW))?.channel).to.equal('appchat');
      expect((await sendToOfficeGroup(m, robot, { msgtype: 'text', content: '转人工' }, NOW))?.channel).to.equal('robot');
      expect(await sendToOfficeGroup(m, none, { msgtype: 'text', content: 'x' }, NOW)).to.equal(null);
    });
    const r = await rows();
    expect(r.map((x) => [x.channel, x.payload])).to.deep.equal([
      ['appchat', { chatid: 'chat1', msgtype: 'markdown', markdown: { content: '**周报**' } }],
      ['robot', { webhook: 'office', message: { msgtype: 'text', text: { content: '转人工' } } }],
    ]);
    expect(JSON.stringify(r)).to.not.include('key=k');
  });
});
