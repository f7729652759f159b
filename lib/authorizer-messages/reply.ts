/** One article of a news reply. */
export interface NewsArticle {
  title: string;
  description?: string;
  picUrl?: string;
  url?: string;
}

/** What a passive reply says, in platform-neutral terms (the adapter renders it). */
export type PassiveReplyBody =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | { type: 'video'; mediaId: string; title?: string; description?: string }
  | {
      type: 'music';
      thumbMediaId: string;
      title?: string;
      description?: string;
      musicUrl?: string;
      hqMusicUrl?: string;
    }
  | { type: 'news'; articles: NewsArticle[] }
  | { type: 'transfer_customer_service'; kfAccount?: string };

/** WeChat accepts at most this many articles in one news reply. */
export const MAX_NEWS_ARTICLES = 8;

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`Reply: ${what} must be a string`);
  return value;
}

function optional(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : text(value, what);
}

/**
 * A passive reply: what a handler returns to answer the message it was given, in the same HTTP
 * answer. The module encrypts and signs it. Return nothing (or `undefined`) to answer `success`.
 * Replies only work within the platform's budget (about 5 s); for slower answers, answer nothing
 * and use the customer-service API (`/cgi-bin/message/custom/send`) later.
 *
 * ```ts
 * @OnAuthorizerMessage({ msgType: 'text', content: /^hello/i })
 * greet(msg: TextMessage) { return Reply.text(`hi ${msg.fromUserName}`); }
 * ```
 */
export class Reply {
  private constructor(
    /** What the reply says. */
    readonly body: PassiveReplyBody,
  ) {}

  /** A text reply. */
  static text(content: string): Reply {
    return new Reply({ type: 'text', content: text(content, 'content') });
  }

  /** A picture, by the media id of an uploaded image. */
  static image(mediaId: string): Reply {
    return new Reply({ type: 'image', mediaId: text(mediaId, 'mediaId') });
  }

  /** A voice message, by media id. */
  static voice(mediaId: string): Reply {
    return new Reply({ type: 'voice', mediaId: text(mediaId, 'mediaId') });
  }

  /** A video, by media id. */
  static video(mediaId: string, options: { title?: string; description?: string } = {}): Reply {
    return new Reply({
      type: 'video',
      mediaId: text(mediaId, 'mediaId'),
      title: optional(options.title, 'title'),
      description: optional(options.description, 'description'),
    });
  }

  /** A music message; `thumbMediaId` is the cover's media id. */
  static music(options: {
    thumbMediaId: string;
    title?: string;
    description?: string;
    musicUrl?: string;
    hqMusicUrl?: string;
  }): Reply {
    return new Reply({
      type: 'music',
      thumbMediaId: text(options?.thumbMediaId, 'thumbMediaId'),
      title: optional(options.title, 'title'),
      description: optional(options.description, 'description'),
      musicUrl: optional(options.musicUrl, 'musicUrl'),
      hqMusicUrl: optional(options.hqMusicUrl, 'hqMusicUrl'),
    });
  }

  /** A news message of 1 to 8 articles. */
  static news(articles: NewsArticle[]): Reply {
    if (!Array.isArray(articles) || articles.length < 1 || articles.length > MAX_NEWS_ARTICLES)
      throw new TypeError(`Reply.news needs 1 to ${MAX_NEWS_ARTICLES} articles`);
    return new Reply({
      type: 'news',
      articles: articles.map((a, i) => ({
        title: text(a?.title, `articles[${i}].title`),
        description: optional(a.description, `articles[${i}].description`),
        picUrl: optional(a.picUrl, `articles[${i}].picUrl`),
        url: optional(a.url, `articles[${i}].url`),
      })),
    });
  }

  /** Hands the conversation to the customer-service system (optionally to one agent, `kfAccount`). */
  static transferCustomerService(kfAccount?: string): Reply {
    return new Reply({ type: 'transfer_customer_service', kfAccount: optional(kfAccount, 'kfAccount') });
  }
}
