// The core module is not exported from the package's index; its options are what configure() reads.
import { MikroOrmCoreModule } from '@mikro-orm/nestjs/mikro-orm-core.module';
import { startTestApp, TestApp } from '../support/test-app';

describe('the ORM on the request path', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('registers no per-request ORM context (its AsyncLocalStorage would tax every purchase)', () => {
    const core = t.app.get(MikroOrmCoreModule, { strict: false }) as unknown as { options: { registerRequestContext?: boolean } };
    expect(core.options.registerRequestContext).toBe(false);
  });
});
