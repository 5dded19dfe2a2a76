#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader (Node 20 cannot strip types itself).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
