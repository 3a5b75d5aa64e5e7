import { prepareTestTemplates } from './prisma/src/testing';

export default async function globalSetup(): Promise<void> {
  await prepareTestTemplates();
}
