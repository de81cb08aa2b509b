/**
 * WeCom errcodes the emulator answers, with errmsg texts in WeCom's style.
 * Meanings follow WeCom's global errcode list (developer.work.weixin.qq.com/document/path/90313,
 * as crawled into xen0n/go-workwx errcodes/mod.go).
 */
export const ERRMSG: Readonly<Record<number, string>> = {
  [-1]: 'system busy',
  0: 'ok',
  40001: 'invalid credential',
  40008: 'invalid message type',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40032: 'invalid userid list size',
  40056: 'invalid agentid',
  40058: 'invalid Request Parameter',
  40096: 'invalid external userid',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41008: 'missing code',
  41010: 'url missing',
  41011: 'agentid missing',
  41016: 'title missing',
  41033: 'description missing',
  41049: 'welcome code missing',
  41050: 'invalid welcome code',
  42001: 'access_token expired',
  42014: 'invalid task_id',
  42020: 'button name missing',
  42027: 'template_card horizontal_content_list keyname missing',
  42028: 'template_card url missing',
  42029: 'template_card media_id missing',
  42030: 'template_card appid missing',
  42031: 'template_card card_type invalid',
  42033: 'template_card title missing',
  42035: 'template_card horizontal_content_list size invalid',
  42037: 'template_card option_list size invalid',
  42038: 'template_card button_list text invalid',
  42039: 'template_card button_list key invalid',
  42040: 'template_card option_list id invalid',
  42041: 'template_card option_list text invalid',
  42042: 'template_card jump_list size invalid',
  42043: 'template_card question_key invalid',
  42045: 'template_card card_action invalid',
  42046: 'template_card submit_button key invalid',
  42047: 'template_card select_list size invalid',
  42049: 'template_card submit_button text invalid',
  42050: 'template_card horizontal_content_list userid invalid',
  42051: 'template_card key conflict',
  43012: 'app callback url not set',
  44004: 'empty content',
  45002: 'content size out of limit',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  48002: 'api forbidden',
  50100: 'invalid cursor',
  60020: 'not allow to access from your ip',
  60140: 'invalid response_code',
  81013: 'user & party & tag all invalid',
  82001: 'All touser & toparty & totag invalid',
  86001: 'invalid chatid',
  86003: 'chat not exists',
  86004: 'invalid chat name',
  86005: 'invalid chat owner',
  86006: 'invalid chat member count',
  86007: 'invalid chat member',
  86008: 'chat not created by this app',
  86201: 'chatid missing',
  86215: 'chatid already exists',
  93000: 'invalid webhook url',
  95000: 'invalid open_kfid',
  95001: 'send msg count limit',
  95002: 'send msg time limit',
  95007: 'invalid msg token',
  95008: 'msgmenu list size out of limit',
  95009: 'invalid msgmenu item type',
  95018: 'session status not allow to send msg',
  95033: 'msgid duplicated',
  301002: 'not allow to operate another agent with this accesstoken',
};

export interface WeComErrorBody {
  errcode: number;
  errmsg: string;
}

/** `{errcode, errmsg}` as WeCom writes it: text, optional detail, and the devtool link. */
export function wecomError(errcode: number, detail?: string): WeComErrorBody {
  if (errcode === 0) return { errcode: 0, errmsg: 'ok' };
  const text = ERRMSG[errcode] ?? 'error';
  const more = `more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
  return { errcode, errmsg: detail ? `${text}, ${detail}, ${more}` : `${text}, ${more}` };
}
