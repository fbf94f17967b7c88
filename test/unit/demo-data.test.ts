import { readFileSync } from 'node:fs';
import { TEST_AUDIT_KEY } from '../support/fixtures.ts';
import { expect } from 'chai';
import { classificationCode, isValidCreditCode, parseClassificationCode } from '../../server/domain/codes.ts';
import { type ValidationContext, nameKey, validateResourceInput } from '../../server/domain/resource.ts';
import { findClassificationMarkings } from '../../server/domain/secrecy.ts';
import { foldTerm, parseSynonyms } from '../../server/domain/synonyms.ts';
import { BASE_DATABASES, FORMAT_CATEGORIES, SHARE_TYPES } from '../../server/domain/vocab.ts';
import { demoResources } from '../../server/seed/demo-catalog.ts';
import { referenceAgencies, referenceClassification } from '../../server/seed/reference.ts';

describe('demo data (reference agencies, classification, demo catalog)', () => {
  const agencies = referenceAgencies();
  const nodes = referenceClassification();
  const resources = demoResources(agencies, nodes);
  const nodeCodes = new Set(nodes.map((n) => n.code));
  const agencyById = new Map(agencies.map((a) => [a.id, a]));
  const ctx: ValidationContext = {
    classificationExists: (code) => nodeCodes.has(code),
    agency: (id) => {
      const a = agencyById.get(id);
      return a && { id: a.id, code: a.code, name: a.name };
    },
    resourceCodeExists: () => false,
  };

  describe('agencies', () => {
    it('have valid, unique GB 32100 credit codes and unique ids', () => {
      const invalid = agencies.filter((a) => !isValidCreditCode(a.code)).map((a) => `${a.id} ${a.code}`);
      expect(invalid, 'invalid credit codes').to.deep.equal([]);
      expect(new Set(agencies.map((a) => a.code)).size).to.equal(agencies.length);
      expect(new Set(agencies.map((a) => a.id)).size).to.equal(agencies.length);
    });

    it('form a tree rooted at the city', () => {
      const roots = agencies.filter((a) => !a.parentId);
      expect(roots.map((a) => a.id)).to.deep.equal(['ag-city']);
      for (const a of agencies) if (a.parentId) expect(agencyById.has(a.parentId), `${a.id} parent`).to.equal(true);
    });

    it('include the twenty pilot departments by their short names, the two pilot districts and the review authority', () => {
      const pilots = agencies.filter((a) => a.kind === 'department' && a.pilot).map((a) => a.shortName);
      expect(pilots).to.have.members([
        '市发改委', '市统计局', '市劳动保障局', '市民政局', '市人口计生委', '市卫生局', '市教育局', '市公安局', '市工商局', '市地税局',
        '市质监局', '市人事局', '市经合办', '市建委', '市房管局', '市规划局', '市国土资源局', '市档案局', '市行政服务中心', '市公积金中心',
      ]);
      expect(agencies.filter((a) => a.kind === 'district' && a.pilot).map((a) => a.shortName)).to.have.members(['上城区', '萧山区']);
      expect(agencies.filter((a) => a.reviewMember).map((a) => a.shortName)).to.have.members(['市信息办', '市监察局', '市法制办', '市委保密局']);
      for (const d of agencies.filter((a) => a.kind === 'district')) {
        const depts = agencies.filter((a) => a.parentId === d.id);
        expect(depts.length, d.name).to.be.within(3, 4);
        for (const dd of depts) expect(dd.kind).to.equal('district_department');
      }
    });
  });

  describe('classification', () => {
    it('has ids equal to codes, codes that parse and round-trip, and existing parents', () => {
      expect(new Set(nodes.map((n) => n.code)).size).to.equal(nodes.length);
      for (const n of nodes) {
        expect(n.id).to.equal(n.code);
        if (n.code.length === 1) {
          expect(['1', '2', '3']).to.include(n.code);
          expect(n.parentCode).to.equal(undefined);
          continue;
        }
        const ref = parseClassificationCode(n.code);
        expect(ref, n.code).to.not.equal(undefined);
        expect(classificationCode(ref!)).to.equal(n.code);
        expect(n.parentCode && nodeCodes.has(n.parentCode), `parent of ${n.code}`).to.equal(true);
        expect(n.code.startsWith(n.parentCode!)).to.equal(true);
      }
    });

    it('has the class-3 path 307 → 016 浙江省 → 杭州市 with a node per authoring agency', () => {
      expect(nodes.find((n) => n.code === '307016')?.name).to.equal('浙江省');
      expect(nodes.find((n) => n.code === '3070160101')?.name).to.equal('市发改委');
      expect(nodes.find((n) => n.code === '3070160120')?.name).to.equal('市公积金中心');
      expect(nodes.find((n) => n.code === '3070160121')?.name).to.equal('上城区');
      expect(nodes.find((n) => n.code === '307016012101')?.name).to.equal('上城区公安分局');
    });
  });

  describe('demo catalog', () => {
    it('is large enough and deterministic', () => {
      expect(resources.length).to.be.at.least(300);
      expect(demoResources(agencies, nodes)).to.deep.equal(resources);
    });

    it('passes validateResourceInput for every resource', () => {
      const failures = resources
        .map((r) => ({ name: r.input.name, agency: r.input.provider.agencyId, errors: validateResourceInput(r.input, ctx).errors }))
        .filter((f) => f.errors.length > 0);
      if (failures.length) {
        console.log(`${failures.length} demo resources fail validation; first ones:`);
        for (const f of failures.slice(0, 5)) console.log(`  ${f.agency} ${f.name}:`, JSON.stringify(f.errors.map((e) => [e.pointer, e.code])));
      }
      expect(failures.length, 'resources failing validation').to.equal(0);
    });

    it('has unique names per provider after folding', () => {
      const seen = new Set<string>();
      const dupes: string[] = [];
      for (const r of resources) {
        const key = `${r.input.provider.agencyId}|${nameKey(r.input.name)}`;
        if (seen.has(key)) dupes.push(key);
        seen.add(key);
      }
      expect(dupes).to.deep.equal([]);
    });

    it('covers every pilot department, both districts and some district departments', () => {
      const providers = new Set(resources.map((r) => r.input.provider.agencyId));
      for (const a of agencies.filter((x) => x.pilot)) expect(providers.has(a.id), `${a.shortName} has resources`).to.equal(true);
      const districtDepts = agencies.filter((a) => a.kind === 'district_department' && providers.has(a.id));
      expect(districtDepts.length).to.be.at.least(3);
    });

    it('uses every class, share type, base database and format category', () => {
      expect(new Set(resources.map((r) => r.input.classification.classCode))).to.have.keys('1', '2', '3');
      expect([...new Set(resources.map((r) => r.input.sharing.type))]).to.have.members([...SHARE_TYPES]);
      expect([...new Set(resources.map((r) => r.input.baseDatabase).filter(Boolean))]).to.have.members([...BASE_DATABASES]);
      expect([...new Set(resources.map((r) => r.input.format.category))]).to.have.members([...FORMAT_CATEGORIES]);
    });

    it('gives every 不予共享 resource a legal basis and no sharing method', () => {
      for (const r of resources.filter((x) => x.input.sharing.type === '不予共享')) {
        expect(r.input.sharing.basis, r.input.name).to.match(/《[^》]+》/);
        expect(r.input.sharing.method, r.input.name).to.equal(undefined);
      }
    });

    it('carries no classification markings and is always 非涉密', () => {
      const marked = resources.filter((r) => findClassificationMarkings(r.input).length > 0).map((r) => r.input.name);
      expect(marked).to.deep.equal([]);
      expect(resources.every((r) => r.input.secrecy === '非涉密')).to.equal(true);
      expect(JSON.stringify(resources)).to.not.match(/绝密|机密|秘密/);
    });

    it('publishes the authoritative resources', () => {
      const auth = resources.filter((r) => r.input.authoritativeSource.length > 0);
      const byAgency = new Map(auth.map((r) => [r.input.provider.agencyId, r.input.authoritativeSource]));
      expect(byAgency.get('ag-gaj')).to.have.members(['公民身份号码']);
      expect(byAgency.get('ag-gsj')).to.have.members(['统一社会信用代码']);
      expect(byAgency.get('ag-gtj')).to.have.members(['不动产单元号']);
      expect(byAgency.get('ag-tjj')).to.have.members(['行政区划代码']);
      for (const r of auth) expect(r.status, r.input.name).to.equal('published');
    });

    it('contains 一数一源 overlaps with the authorities after synonym folding', () => {
      const synonyms = parseSynonyms(readFileSync(new URL('../../mappings/synonyms.txt', import.meta.url), 'utf8'));
      const authorities = resources
        .filter((r) => r.input.authoritativeSource.length > 0)
        .map((r) => ({ agencyId: r.input.provider.agencyId, items: new Set(r.input.authoritativeSource.map((n) => foldTerm(synonyms, n))) }));
      const overlapping = resources.filter((r) => authorities.some((a) =>
        a.agencyId !== r.input.provider.agencyId && r.input.dataItems.some((d) => a.items.has(foldTerm(synonyms, d.name)))));
      expect(overlapping.length).to.be.at.least(3);
      // The synonym case specifically: another agency lists 身份证号码 or 身份证号 for the police's 公民身份号码.
      const viaSynonym = overlapping.filter((r) => r.input.dataItems.some((d) => d.name === '身份证号码' || d.name === '身份证号'));
      expect(new Set(viaSynonym.map((r) => r.input.provider.agencyId)).size).to.be.at.least(3);
    });

    it('keeps status, openness and census figures plausible', () => {
      const published = resources.filter((r) => r.status === 'published').length;
      expect(published / resources.length).to.be.within(0.75, 0.95);
      expect(new Set(resources.map((r) => r.status))).to.have.keys('draft', 'submitted', 'under_review', 'returned', 'approved', 'published');
      const open = resources.filter((r) => r.input.openness.isOpen).length;
      expect(open / resources.length).to.be.within(0.2, 0.4);
      for (const r of resources) {
        expect(r.input.relatedCodes).to.deep.equal([]);
        expect(r.input.keywords.length, r.input.name).to.be.within(1, 4);
        if (!r.input.openness.isOpen) expect(r.input.dataItems.some((d) => d.open === true), r.input.name).to.equal(false);
        if (['电子表格', '数据库'].includes(r.input.format.category)) expect(r.input.dataItems.length, r.input.name).to.be.within(5, 30);
      }
    });
  });
});

describe('demo sharing (requests and grants on first start)', () => {
  it('gives each role something to act on, every record a path of the table, and leaves the walkthrough entries alone', async () => {
    const { openEmbeddedStore } = await import('../../server/adapters/store/embedded/store.ts');
    const { ensureReferenceData } = await import('../../server/seed/bootstrap.ts');
    const { loadDemo } = await import('../../server/seed/load.ts');
    const { loadSynonyms } = await import('../../server/compose.ts');
    const { requestMachine } = await import('../../server/domain/workflow/request.ts');
    const { transitionFor } = await import('../../server/domain/workflow/machine.ts');
    const store = openEmbeddedStore({ path: ':memory:', auditKey: TEST_AUDIT_KEY });
    await ensureReferenceData(store);
    const loaded = await loadDemo(store, loadSynonyms());
    expect(loaded).to.include({ requests: 4, grants: 2 });
    const requests = (await store.requests.list({ limit: 100 })).items;
    expect(requests.map((r) => r.state).sort()).to.deep.equal(['contact_sheet_issued', 'granted', 'refused', 'submitted']);
    for (const r of requests) {
      let state = 'draft';
      for (const s of r.steps) {
        expect(transitionFor(requestMachine, state as never, s.event, r.kind)?.to, `${r.number} ${s.event}`).to.equal(s.to);
        state = s.to;
      }
      expect(state).to.equal(r.state);
      if (r.state !== 'submitted') expect(r.contactSheet?.number).to.match(/^LXD\d{4}-\d{6}$/);
    }
    const grants = (await store.grants.list({ limit: 100 })).items;
    expect(grants.map((g) => g.kind).sort()).to.deep.equal(['conditional', 'unconditional']);
    const names = [...requests.flatMap((r) => r.resources), ...grants.flatMap((g) => g.resources)].map((x) => x.name);
    expect(names.some((n) => /常住人口基本信息|暂住人口登记信息/.test(n))).to.equal(false);
    await store.close();
  });
});
