// User-agent strings of the clients in the demo: browsers, the AWS CLI, SDKs and the SSM agent.

export const BROWSER_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
export const BROWSER_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:126.0) Gecko/20100101 Firefox/126.0';
export const BROWSER_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36';
/** What the console's own backend calls show as user agent. */
export const CONSOLE = 'AWS Internal';
export const SSM_AGENT = 'aws-sdk-go/1.44.329 (go1.22.5; linux; amd64) amazon-ssm-agent/3.3.418.0';
export const JAVA_SDK =
  'aws-sdk-java/2.25.13 Linux/6.1.84-99.169.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy';
export const NODE_LAMBDA =
  'aws-sdk-js/3.556.0 ua/2.0 os/linux#5.10.214-223.800.amzn2.x86_64 lang/js md/nodejs#20.12.2 api/s3#3.556.0 exec-env/AWS_Lambda_nodejs20.x';
export const BOTO3_LAMBDA =
  'Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.214 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.84';
export const BACKUP_AGENT =
  'aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.1 restic/0.16.4';

/** `ListFunctions20150331` → `list-functions`: how the CLI names the command in its user agent. */
function commandOf(source: string, name: string): string {
  const service = source.replace('.amazonaws.com', '');
  const operation = name
    .replace(/\d{8}(v\d)?$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
  return `${service}.${operation}`;
}

/** The AWS CLI v2 user agent, which ends with the command being run. */
export function cliAgent(os: string): (source: string, name: string) => string {
  return (source, name) =>
    `aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/${os} md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe prompt/off command/${commandOf(source, name)}`;
}
