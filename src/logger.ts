import pino from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs. Personal data never goes in: log ids, numbers and codes, not names, ID
 * numbers, phones or message text. The redact list is a safety net, not the policy.
 */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'nocert' },
      redact: {
        paths: ['*.idNumber', '*.mobile', '*.phone', '*.content', '*.Content', '*.secret', '*.access_token', '*.token', '*.authorization', 'req.headers.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
