// Two nodes over redis in Go-compatible mode (a broker channel per connection): see cluster-soak.suite.ts.
import { clusterSoak } from './cluster-soak.suite.js';

clusterSoak('goCompatible');
