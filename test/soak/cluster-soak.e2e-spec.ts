// Two nodes over redis, every message through the broker: see cluster-soak.suite.ts.
import { clusterSoak } from './cluster-soak.suite.js';

clusterSoak('broker');
