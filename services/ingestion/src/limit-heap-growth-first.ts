// Imported first by the entry point (and the bench's servers), before any other module loads:
// set later, once the modules have loaded, the same limit left the resident set about 20 MB higher
// under 40 concurrent batches (services/ingestion/README.md, "Memory at saturation").
import { limitHeapGrowth } from './heap-growth';

limitHeapGrowth();
