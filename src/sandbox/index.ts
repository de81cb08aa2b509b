export {
  WeComEmulator,
  type EmulatorOptions,
  type DeliveredMessage,
  type CallbackResult,
  type CallbackSendOptions,
  type ClickOptions,
  type ApiCall,
  type CardState,
  type CallbackRecord,
  type KfSentMessage,
} from './emulator';
export { ERRMSG, wecomError } from './errcodes';
export { textMessageXml, enterAgentXml, cardEventXml, kfEventXml, sealCallback } from './callback-xml';
export { validateTemplateCard } from './template-card';
