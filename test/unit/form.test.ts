// The steward's form must carry a record through the page unchanged: load it for editing, save it as it is.

import { expect } from 'chai';
import { present } from '../../server/actions/resources/catalog.ts';
import { validateResourceInput } from '../../server/domain/resource.ts';
import { formToResourceInput, resourceToForm } from '../../server/http/form.ts';
import { resourceInput, storedResource } from '../support/fixtures.ts';

describe('the register/edit form', () => {
  it('round-trips a record as the edit page shows it (derived fields stripped) without losing anything', () => {
    const input = resourceInput({
      classification: { classCode: '3', itemCode: '07', entryCode: '016', subEntryCode: '0108' },
      keywords: ['社会 保障', '人口'],
      openness: { isOpen: true, condition: '无' },
      dataItems: [
        ...Array.from({ length: 250 }, (_, i) => ({ name: `项${i}`, dataType: 'C' as const, length: 10 })),
        { name: '公民身份号码', dataType: 'C', length: 18, open: true, shareType: '不予共享' },
      ],
      authoritativeSource: ['公民身份号码', '项220'],
      census: { totalStorageGB: 12.5, sharedStorageGB: 3 },
      contact: { name: '王敏', phone: '0571-87000000', email: 'wm@hangzhou.gov.cn' },
      sourceSystem: '人口库',
    });
    const shown = present(storedResource({ ...input, provider: { ...input.provider, code: 'c', name: 'n' } }), { userId: 'u', username: 'u', displayName: 'u', agencyId: 'ag-gaj', roles: ['data_steward'] });
    const form = resourceToForm(shown as never, 'ag-gaj');
    const { input: back } = formToResourceInput(form, 'ag-gaj');
    const { value, errors } = validateResourceInput(back, { classificationExists: () => true, agency: (id) => ({ id, code: '91350100M000100Y43', name: 'n' }), resourceCodeExists: () => false });
    expect(errors).to.deep.equal([]);
    const expected = validateResourceInput(input, { classificationExists: () => true, agency: (id) => ({ id, code: '91350100M000100Y43', name: 'n' }), resourceCodeExists: () => false }).value!;
    // The form lists authorities in item order; the set is what matters.
    expect(value!.authoritativeSource).to.have.members(expected.authoritativeSource);
    expect({ ...value, authoritativeSource: [] }).to.deep.equal({ ...expected, authoritativeSource: [] });
  });
});
