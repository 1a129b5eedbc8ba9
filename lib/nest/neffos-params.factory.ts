// Arguments of an enhanced handler call are `[nsConn, data, message, event]`, the shape Nest's ws
// context expects (`getClient()` = args[0], `getData()` = args[1], `getPattern()` = the last one),
// so existing gateway guards, pipes and filters work unchanged.
import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core/helpers/external-context-creator.js';
import type { Message } from '../protocol/index.js';

/** `@nestjs/websockets` WsParamtype values (stable since v5; not re-exported from the package root). */
const WS_PARAM_SOCKET = 0;
const WS_PARAM_PAYLOAD = 3;

export const neffosParamsFactory: ParamsFactory = {
  exchangeKeyForValue(type: number, data: ParamData, args: unknown[]): unknown {
    switch (type) {
      case WS_PARAM_SOCKET:
        return args[0];
      case WS_PARAM_PAYLOAD: {
        const payload = args[1];
        return typeof data === 'string' && payload !== null && typeof payload === 'object'
          ? (payload as Record<string, unknown>)[data]
          : payload;
      }
      default:
        return undefined;
    }
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
