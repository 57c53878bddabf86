from components import storefront

storefront.main()
