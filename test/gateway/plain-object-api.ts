/**
 * go.micro.api.plain: an api-handler service with the classic mistake of returning its payload itself
 * instead of an api.Response, for the gateway's contract check.
 *   Say.Hello  -> {message}                                (no statusCode/body)
 *   Say.Object -> {statusCode: 200, body: {message: 'hi'}}   (body not a string)
 *   Say.Empty  -> {}                                       (an all-default api.Response: an empty 200)
 */
import { newService } from '../../services/kit/service.ts';

const service = newService({ name: 'go.micro.api.plain' });
service.handle('Say.Hello', async (req: { get?: Record<string, { values?: string[] }> }) => ({
  message: `Hello ${req?.get?.name?.values?.join(' ') ?? ''}`,
}));
service.handle('Say.Object', async () => ({ statusCode: 200, body: { message: 'hi' } }));
service.handle('Say.Empty', async () => ({}));
await service.run();
