// Two nodes over redis with direct node links (nodeLink): see cluster-soak.suite.ts.
import { clusterSoak } from './cluster-soak.suite.js';

clusterSoak('nodeLink');
