import { mount } from '../../src/ui/mount';
import { ExtensionClient } from '../ui-client';

mount(document.getElementById('root')!, new ExtensionClient(), 'tab');
