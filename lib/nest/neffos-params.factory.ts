// Arguments of an enhanced handler call are `[nsConn, data, message, event]`, the shape Nest's ws
// context expects (`getClient()` = args[0], `getData()` = args[1], `getPattern()` = the last one),
// so existing gateway guards, pipes and filters work unchanged. A handler with `@Ack()` gets
// `[nsConn, data, message, ack, event]`: the ack function sits before the pattern, which stays last.
import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core';
// `WsParamtype` is what @ConnectedSocket(), @MessageBody() and @Ack() write, but @nestjs/websockets
// does not re-export it from its root; its exports map does publish the file, and this is the only
// import of it. The table below is keyed by it, so a param type Nest adds fails to compile here.
import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum.js';
import type { Message } from '../protocol/index.js';

/** Position of the `@Ack()` function in the arguments of a handler that declares one. */
const ACK_ARG_INDEX = 3;

const WS_PARAM_VALUES: Readonly<Record<WsParamtype, (data: ParamData, args: unknown[]) => unknown>> = {
  [WsParamtype.SOCKET]: (_data, args) => args[0],
  [WsParamtype.PAYLOAD]: (data, args) => {
    const payload = args[1];
    return typeof data === 'string' && payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>)[data] : payload;
  },
  [WsParamtype.ACK]: (_data, args) => args[ACK_ARG_INDEX],
};

/** Whether a (non-custom) param type of `ROUTE_ARGS_METADATA` is one this factory fills. */
export function isSupportedParamType(type: number): boolean {
  return Object.hasOwn(WS_PARAM_VALUES, type);
}

export const ACK_PARAM_TYPE: number = WsParamtype.ACK;

export const neffosParamsFactory: ParamsFactory = {
  exchangeKeyForValue(type: number, data: ParamData, args: unknown[]): unknown {
    // Unsupported types never get here: the explorer refuses them at start-up.
    return WS_PARAM_VALUES[type as WsParamtype]?.(data, args);
  },
};

const JSON_START = new Set(['{', '[', '"']);

/**
 * What `@MessageBody()` receives: the bytes for a binary frame; for text, the parsed JSON when the body
 * is a JSON object, array or string (what `neffos.marshal` sends), otherwise the text itself.
 */
export function messageData(msg: Message): unknown {
  if (msg.isBinary) return msg.body;
  const text = msg.text();
  if (!JSON_START.has(text.trimStart().charAt(0))) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
