import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PLATFORM_NAMES } from '../platform-names.js';

// Validation schema of the module options. Messages are generated from property names and
// constraints only: `$value` is never interpolated, so secrets cannot leak into them.

// Length and alphabet are checked apart so each message is true on its own (a 42-character key of
// valid characters is told only about its length).
const BASE64_CHARS = /^[A-Za-z0-9+/]*$/;
const URL_OPTS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
/** `scheme://host[:port]` and at most a trailing slash: what `new URL(…).origin` keeps. */
const ORIGIN = /^https?:\/\/[^/?#@\s]+\/?$/i;

export class ComponentOptionsSchema {
  @IsIn(PLATFORM_NAMES, { message: `platform must be one of: ${PLATFORM_NAMES.join(', ')}` })
  platform!: string;

  @IsString()
  @MinLength(1, { message: 'appId must not be empty' })
  appId!: string;

  @IsString()
  @MinLength(1, { message: 'appSecret must not be empty' })
  appSecret!: string;

  @IsString()
  @MinLength(1, { message: 'token must not be empty' })
  token!: string;

  @IsString()
  @Length(43, 43, { message: 'encodingAesKey must be exactly 43 characters' })
  @Matches(BASE64_CHARS, { message: 'encodingAesKey must use only base64 characters (A-Z a-z 0-9 + /)' })
  encodingAesKey!: string;

  @IsOptional()
  @IsString()
  @Length(43, 43, { message: 'previousEncodingAesKey must be exactly 43 characters' })
  @Matches(BASE64_CHARS, { message: 'previousEncodingAesKey must use only base64 characters (A-Z a-z 0-9 + /)' })
  previousEncodingAesKey?: string;

  @IsOptional()
  @IsUrl(URL_OPTS, { message: 'apiBaseUrl must be an http(s) URL' })
  apiBaseUrl?: string;

  @IsOptional()
  @IsArray({ message: 'apiOrigins must be an array of origins' })
  @ArrayMaxSize(64, { message: 'apiOrigins must hold at most 64 origins' })
  @IsUrl(URL_OPTS, { each: true, message: 'apiOrigins must hold http(s) origins, like https://gateway.example.com' })
  @Matches(ORIGIN, {
    each: true,
    message: 'apiOrigins must hold origins only (scheme, host and port: no path, query, fragment or credentials)',
  })
  apiOrigins?: string[];

  @IsOptional()
  @IsUrl(URL_OPTS, { message: 'authorizePageUrl must be an http(s) URL' })
  authorizePageUrl?: string;

  @IsOptional()
  @IsIn(['v1', 'v2'], { message: 'apiVersion must be one of: v1, v2' })
  apiVersion?: string;
}

export class RedisOptionsSchema {
  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'url must start with redis:// or rediss://' })
  url!: string;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'keyPrefix must be 1-64 characters of A-Z a-z 0-9 _ . : -' })
  keyPrefix?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  localCacheMaxAgeMs?: number;

  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(600_000)
  lockLeaseMs?: number;
}

export class RefreshOptionsSchema {
  @IsOptional()
  @IsIn(['auto', true, false], { message: "enabled must be 'auto', true or false" })
  enabled?: 'auto' | boolean;

  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  intervalMs?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  marginSeconds?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(256)
  concurrency?: number;
}

export class RetryOptionsSchema {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  attempts?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  baseDelayMs?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(300_000)
  maxDelayMs?: number;
}

export class MessagesOptionsSchema {
  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(30_000)
  replyBudgetMs?: number;

  @IsOptional()
  @IsBoolean()
  releaseCheck?: boolean;
}

/** `scrypt$N$r$p$salt$hash`, both base64 (checked in full by validateOptions). */
const SCRYPT_HASH = /^scrypt\$\d{1,8}\$\d{1,2}\$\d{1,2}\$[A-Za-z0-9+/]{22,}={0,2}\$[A-Za-z0-9+/]{43,}={0,2}$/;

export class AdminBasicAuthOptionsSchema {
  @IsString({ message: 'username must be a string' })
  @Matches(/^[^:\s]{1,64}$/, { message: 'username must be 1-64 characters without ":" or spaces' })
  username!: string;

  @IsString({ message: 'passwordHash must be a string' })
  @Matches(SCRYPT_HASH, {
    message: 'passwordHash must be a scrypt hash: scrypt$N$r$p$<salt base64>$<hash base64> (see hashAdminPassword)',
  })
  passwordHash!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxFailures?: number;

  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  lockoutMs?: number;
}

export class AdminOptionsSchema {
  @IsIn([true, false], { message: 'enabled must be true or false' })
  enabled!: boolean;

  // A class or an instance, checked by validateOptions (class-transformer must not rebuild it).
  @IsOptional()
  @Transform(({ obj }: { obj: { guard?: unknown } }) => obj.guard, { toClassOnly: true })
  guard?: unknown;

  @IsOptional()
  @ValidateNested()
  @Type(() => AdminBasicAuthOptionsSchema)
  basicAuth?: AdminBasicAuthOptionsSchema;
}

export class OpenPlatformOptionsSchema {
  @IsArray({ message: 'components must be an array' })
  @ArrayMinSize(1, { message: 'components must contain at least one component' })
  @ValidateNested({ each: true })
  @Type(() => ComponentOptionsSchema)
  components!: ComponentOptionsSchema[];

  @IsOptional()
  @ValidateNested()
  @Type(() => RedisOptionsSchema)
  redis?: RedisOptionsSchema;

  @IsOptional()
  @ValidateNested()
  @Type(() => RefreshOptionsSchema)
  refresh?: RefreshOptionsSchema;

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, {
    message: 'routePrefix must be path segments of A-Z a-z 0-9 _ - without leading or trailing /',
  })
  routePrefix?: string;

  @IsOptional()
  @IsUrl(URL_OPTS, { message: 'publicBaseUrl must be an http(s) URL' })
  publicBaseUrl?: string;

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  httpTimeoutMs?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => RetryOptionsSchema)
  retry?: RetryOptionsSchema;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  unknownAuthorizerTtlMs?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => MessagesOptionsSchema)
  messages?: MessagesOptionsSchema;

  @IsOptional()
  @ValidateNested()
  @Type(() => AdminOptionsSchema)
  admin?: AdminOptionsSchema;

  // Instances, checked by validateOptions (class-transformer must not rebuild them).
  @IsOptional()
  @IsObject({ message: 'storage must be an object' })
  @Transform(({ obj }: { obj: { storage?: unknown } }) => obj.storage, { toClassOnly: true })
  storage?: unknown;
}
