// The CLI, the benchmarks and many tests import bootstrap from here; it lives in the identity domain.
export { type BootstrapResult, bootstrap } from '../../identity/bootstrap.ts';
