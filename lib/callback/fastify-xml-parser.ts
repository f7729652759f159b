import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { XML_CONTENT_TYPES } from '../open-platform.constants.js';

type Done = (err: Error | null, body?: unknown) => void;

/** The part of a Fastify instance used here (typed structurally: Fastify is not a dependency). */
interface FastifyInstanceLike {
  hasContentTypeParser(contentType: string): boolean;
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit?: number },
    parser: (request: unknown, body: Buffer, done: Done) => void,
  ): void;
  addHook(
    name: 'onError',
    hook: (
      request: FastifyRequestLike,
      reply: FastifyReplyLike,
      error: { statusCode?: number },
      done: () => void,
    ) => void,
  ): void;
  initialConfig?: { bodyLimit?: number };
}
interface FastifyRequestLike {
  routeOptions?: { url?: string };
}
interface FastifyReplyLike {
  header(name: string, value: string): unknown;
}

/** Path patterns the push routes end with, whatever prefixes the app adds in front. */
const PUSH_ROUTE_SUFFIXES = ['/:componentAppId/events', '/:componentAppId/authorizers/:authorizerAppId/messages'];

/**
 * Makes the events route work on `@nestjs/platform-fastify` without any setup in the app.
 *
 * Fastify answers 415 to a content type it has no parser for, and has none for XML. This registers
 * one for `text/xml` and `application/xml` that hands the raw bytes over (the route verifies and
 * parses them itself), unless the app registered its own, which is then left in place. It runs in
 * `onModuleInit`, inside `app.init()` / `app.listen()`, so before Fastify is ready (after that it
 * refuses new parsers) and after `main.ts` had its chance to register parsers of its own.
 *
 * It also closes the connection when Fastify itself refuses an oversized push before the route
 * runs, rather than reading on an attacker's body to keep the connection alive.
 */
@Injectable()
export class FastifyXmlParser implements OnModuleInit {
  private readonly logger = new Logger('OpenPlatform:Routes');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter || adapter.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyInstanceLike>();
    try {
      this.install(fastify);
    } catch (err) {
      // Fastify refuses parsers once it is ready, e.g. when the app awaited `ready()` before `init()`.
      this.logger.warn(
        `could not register XML body parsers on Fastify (${(err as { code?: string }).code ?? 'error'}); ` +
          `register a parser for ${XML_CONTENT_TYPES.join(' and ')} yourself, or pushes will get 415`,
      );
    }
  }

  private install(fastify: FastifyInstanceLike): void {
    const bodyLimit = fastify.initialConfig?.bodyLimit;
    for (const type of XML_CONTENT_TYPES) {
      // A catch-all parser of the app counts as its own choice for XML too.
      if (fastify.hasContentTypeParser(type) || fastify.hasContentTypeParser('*')) continue;
      fastify.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    }
    fastify.addHook('onError', (request, reply, error, done) => {
      if (error?.statusCode === 413 && PUSH_ROUTE_SUFFIXES.some((s) => request.routeOptions?.url?.endsWith(s)))
        reply.header('Connection', 'close');
      done();
    });
  }
}
