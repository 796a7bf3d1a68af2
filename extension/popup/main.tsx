import { render } from 'preact';

render(<p>ChatGPT Flow Recorder</p>, document.getElementById('root')!);
