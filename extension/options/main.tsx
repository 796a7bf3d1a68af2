import { render } from 'preact';
import { OptionsPage } from '../../src/ui/options';
import '../../src/ui/styles.css';
import { ExtensionClient } from '../ui-client';

render(<OptionsPage client={new ExtensionClient()} />, document.getElementById('root')!);
