export { type AdminCall, LiteLLMAdminDouble } from './server.ts';
