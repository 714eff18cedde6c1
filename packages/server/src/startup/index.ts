export {
  configRefusals, demoRefusals, formatRefusal, keyFileRefusals, productionRefusals, type StaffPasswordFacts, type StartRefusal, staffPasswordFacts, staffRefusals,
} from './checks.ts';
export { describeDatabase, recordStart, type StartFacts, startFacts, startLine } from './summary.ts';
