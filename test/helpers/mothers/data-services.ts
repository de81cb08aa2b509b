/** Object mother for data service registrations (POST /api/v1/data-services). */
export const DataServiceMother = {
  http(over: Record<string, unknown> = {}) {
    return { issuerUnit: 'GAJ', certificate: '无犯罪记录证明', kind: 'http', url: 'https://hjk.gaj.example.gov.cn/verify', secret: 'a-long-shared-secret-0123', ...over };
  },
  sql(over: Record<string, unknown> = {}) {
    return { issuerUnit: 'GAJ', certificate: '户籍证明', kind: 'sql', dsn: 'mysql://reader:pa55word@10.1.2.3:3306/hukou', query: 'SELECT reply FROM v_household WHERE id_number = :idNumber AND name = :name', ...over };
  },
};
