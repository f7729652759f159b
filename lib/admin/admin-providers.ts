import type { Provider } from '@nestjs/common';
import { AdminActionsService } from './admin-actions.service.js';
import { AdminGuard } from './admin.guard.js';
import { AdminQueryService } from './admin-query.service.js';
import { AuthorizerDirectory } from './authorizer-directory.js';
import { AuthorizerHistory } from './authorizer-history.service.js';
import { BasicAuthService } from './basic-auth.service.js';

/** The admin API's providers; inert while `admin.enabled` is off (the guard answers 404, no history is kept). */
export const ADMIN_PROVIDERS: Provider[] = [
  AuthorizerHistory,
  AuthorizerDirectory,
  BasicAuthService,
  AdminGuard,
  AdminQueryService,
  AdminActionsService,
];
