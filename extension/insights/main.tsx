import { mountInsights } from '../../src/ui/insights/mount';
import { ExtensionClient } from '../ui-client';

mountInsights(document.getElementById('root')!, new ExtensionClient());
