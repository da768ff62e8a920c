import { expect, test } from 'vitest';
import { parseManifestDocuments } from '../../src/validate/documents.js';

// A ConfigMap that holds a file (flowlogs.yaml) in a literal block: a finding inside that file is placed at its own
// line and column in the manifest, counted by hand below, not at the ConfigMap's data: key.
const CONFIG_MAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: cilium-flowlog-config
data:
  flowlogs.yaml: |
    flowLogs:
      - name: a
        filePath: stdout

        includeFilters:
          - source_ip: ["1.2.3.4/33"]
  other: "flowLogs: []"
`;

test('a path into YAML held by a literal block is located inside the block', () => {
  const [doc] = parseManifestDocuments(CONFIG_MAP, 'cm.yaml');
  // Line 12 is `          - source_ip: ["1.2.3.4/33"]`: the key at column 13, the list item at column 25.
  expect(doc!.locate('data.flowlogs.yaml#flowLogs[0].includeFilters[0].source_ip')).toEqual({ file: 'cm.yaml', line: 12, column: 13 });
  expect(doc!.locate('data.flowlogs.yaml#flowLogs[0].includeFilters[0].source_ip[0]')).toEqual({ file: 'cm.yaml', line: 12, column: 25 });
  expect(doc!.locate('data.flowlogs.yaml#flowLogs[0].filePath')).toEqual({ file: 'cm.yaml', line: 9, column: 9 });
  // Past the blank line 10, lines still count.
  expect(doc!.locate('data.flowlogs.yaml#flowLogs[0].includeFilters')).toEqual({ file: 'cm.yaml', line: 11, column: 9 });
});

test('a quoted string is not followed into: the finding stays at its key', () => {
  const [doc] = parseManifestDocuments(CONFIG_MAP, 'cm.yaml');
  expect(doc!.locate('data.other#flowLogs')).toEqual({ file: 'cm.yaml', line: 13, column: 3 });
});
